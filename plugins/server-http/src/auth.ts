/** API keys: `Authorization: Bearer <key>` (or `x-api-key`). Without keys the server answers loopback clients only. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ReasonerError } from '@reasoner/core';
import { HttpError } from './openai-errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Keys from `--api-key` values and REASONER_API_KEY (comma-separated for several). */
export function parseKeys(...sources: Array<string | string[] | undefined>): string[] {
  const keys = sources.flatMap((s) => (s === undefined ? [] : Array.isArray(s) ? s : [s])).flatMap((s) => s.split(',')).map((k) => k.trim()).filter(Boolean);
  for (const k of keys) {
    if (k.length < 8) throw new ReasonerError('RSN_ERR_USAGE', `an API key must have at least 8 characters (got one of ${k.length})`, { hint: 'use a long random key, e.g. `openssl rand -hex 24`' });
  }
  return [...new Set(keys)];
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '::ffff:127.0.0.1';
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  return !!addr && (addr === '::1' || /^127\./.test(addr) || /^::ffff:127\./.test(addr));
}

export class KeyCheck {
  private readonly digests: Buffer[];
  constructor(readonly keys: string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The key a request presents, if any. */
  static presented(headers: Record<string, string | string[] | undefined>): string | undefined {
    const auth = headers.authorization;
    const a = Array.isArray(auth) ? auth[0] : auth;
    if (a && /^Bearer\s+/i.test(a)) return a.replace(/^Bearer\s+/i, '').trim();
    const x = headers['x-api-key'];
    return (Array.isArray(x) ? x[0] : x) || undefined;
  }

  /** Throws 401 (bad/missing key) or 403 (no keys configured and a non-loopback client). */
  check(headers: Record<string, string | string[] | undefined>, remote: string | undefined): void {
    if (!this.enabled) {
      if (!isLoopbackAddress(remote)) throw new HttpError(403, 'this server has no API key configured and answers loopback clients only; start it with REASONER_API_KEY or --api-key', 'permission_error', 'loopback_only');
      return;
    }
    const key = KeyCheck.presented(headers);
    if (!key) throw new HttpError(401, 'You didn\'t provide an API key: send `Authorization: Bearer <key>`', 'invalid_request_error', 'missing_api_key');
    const d = digest(key);
    if (!this.digests.some((k) => timingSafeEqual(k, d))) throw new HttpError(401, 'Incorrect API key provided', 'invalid_request_error', 'invalid_api_key');
  }
}
