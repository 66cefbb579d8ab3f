/** Errors in OpenAI's shape (`{ error: { message, type, param, code } }`) with the matching status. */
import { isReasonerError } from '@reasoner/core';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly type = 'invalid_request_error', readonly code: string | null = null, readonly param: string | null = null) {
    super(message);
  }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  408: 'timeout_error', 409: 'conflict_error', 413: 'invalid_request_error', 415: 'invalid_request_error',
  429: 'rate_limit_error', 499: 'client_closed_request', 502: 'upstream_error', 503: 'service_unavailable', 500: 'server_error',
};

/** Status of a ReasonerError: bad input is the client's fault (4xx), a failing backend is 502, the rest is ours. */
const STATUS_BY_CODE: Record<string, number> = {
  RSN_ERR_INPUT: 400, RSN_ERR_VOCAB: 400, RSN_ERR_CONTEXT_LENGTH: 400, RSN_ERR_USAGE: 400,
  RSN_ERR_PLUGIN_OPTIONS: 400, RSN_ERR_PLUGIN_NOT_FOUND: 400, RSN_ERR_PLUGIN_KIND: 400, RSN_ERR_PLUGIN_INVALID: 400,
  RSN_ERR_PLUGIN_API_VERSION: 400, RSN_ERR_CONFIG_INVALID: 400, RSN_ERR_CONFIG_LOAD: 400, RSN_ERR_PLUGIN_DUPLICATE: 400,
  RSN_ERR_ORACLE: 400, RSN_ERR_BUDGET_EXHAUSTED: 400, RSN_ERR_DATASET: 400, RSN_ERR_HOOK_UNKNOWN: 400,
  RSN_ERR_RUN_NOT_FOUND: 404, RSN_ERR_RUN_LOCKED: 409, RSN_ERR_ABORTED: 499, RSN_ERR_TIMEOUT: 408,
  RSN_ERR_POLICY: 502, RSN_ERR_REWARD: 502,
};

export function errorBody(status: number, message: string, code: string | null = null, param: string | null = null, type?: string): OpenAiErrorBody {
  return { error: { message, type: type ?? TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), param, code } };
}

/** Maps anything thrown in a handler (ours, Fastify's, ajv's, a plugin's) to a status and an OpenAI error body. */
export function toErrorResponse(e: unknown): { status: number; body: OpenAiErrorBody } {
  if (e instanceof HttpError) return { status: e.status, body: errorBody(e.status, e.message, e.code, e.param, e.type) };
  if (isReasonerError(e)) {
    const status = STATUS_BY_CODE[e.code] ?? 500;
    const hint = e.context.hint ? ` (fix: ${e.context.hint})` : '';
    return { status, body: errorBody(status, `${e.code}: ${e.message}${hint}`, e.code, typeof e.context.pointer === 'string' ? e.context.pointer : null) };
  }
  const err = e as { statusCode?: number; code?: string; message?: string; validation?: Array<{ instancePath?: string; message?: string }>; validationContext?: string };
  if (err?.validation) {
    const v = err.validation[0];
    const where = `${err.validationContext ?? 'body'}${v?.instancePath ?? ''}`;
    return { status: 400, body: errorBody(400, `invalid request: ${where} ${v?.message ?? 'is invalid'}`, 'invalid_value', where) };
  }
  const status = typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status === 413) return { status, body: errorBody(413, `request body too large: ${err.message ?? ''}`.trim(), 'body_too_large') };
  if (status < 500) return { status, body: errorBody(status, err?.message ?? 'invalid request', err?.code ?? null) };
  return { status, body: errorBody(status, `internal error: ${err?.message ?? String(e)} (a bug in Reasoner or a plugin; the server log has the stack)`, 'internal_error') };
}
