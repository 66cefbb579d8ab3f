/**
 * Every error a user can meet carries a stable `RSN_ERR_*` code, a message that says what to
 * fix, and where it happened (config file + JSON pointer, plugin, hook).
 */
export type ErrorCode =
  | 'RSN_ERR_CONFIG_NOT_FOUND'
  | 'RSN_ERR_CONFIG_LOAD'
  | 'RSN_ERR_CONFIG_INVALID'
  | 'RSN_ERR_PLUGIN_NOT_FOUND'
  | 'RSN_ERR_PLUGIN_INVALID'
  | 'RSN_ERR_PLUGIN_KIND'
  | 'RSN_ERR_PLUGIN_OPTIONS'
  | 'RSN_ERR_PLUGIN_DUPLICATE'
  | 'RSN_ERR_PLUGIN_API_VERSION'
  | 'RSN_ERR_PLUGIN_SETUP'
  | 'RSN_ERR_HOOK'
  | 'RSN_ERR_HOOK_UNKNOWN'
  | 'RSN_ERR_BUDGET_EXHAUSTED'
  | 'RSN_ERR_ABORTED'
  | 'RSN_ERR_RUN_NOT_FOUND'
  | 'RSN_ERR_RUN_CORRUPT'
  | 'RSN_ERR_RUN_LOCKED'
  | 'RSN_ERR_INPUT'
  | 'RSN_ERR_TASK'
  | 'RSN_ERR_POLICY'
  | 'RSN_ERR_CHECKPOINT'
  | 'RSN_ERR_VOCAB'
  | 'RSN_ERR_CONTEXT_LENGTH'
  | 'RSN_ERR_ONNX_MODEL'
  | 'RSN_ERR_REWARD'
  | 'RSN_ERR_SANDBOX_UNAVAILABLE'
  | 'RSN_ERR_SANDBOX'
  | 'RSN_ERR_DATASET'
  | 'RSN_ERR_USAGE'
  /** The user's file system refused (missing folder, no permission, read-only, a directory where a file belongs). */
  | 'RSN_ERR_IO'
  /** A search would be guided by a reward that reads the gold answer, without `run.oracle: true`. */
  | 'RSN_ERR_ORACLE'
  /** A search plugin broke its contract (e.g. returned no best candidate). */
  | 'RSN_ERR_SEARCH'
  /** The grader failed on a solution. */
  | 'RSN_ERR_GRADER'
  /** `--strict` reward sanity check: the guiding reward does not separate correct from incorrect (or could not be checked). */
  | 'RSN_ERR_SANITY'
  /** A training step failed (non-finite loss or gradient, a batch the objective cannot use); weights unchanged. */
  | 'RSN_ERR_TRAIN'
  /** A learner was given a policy without trainable weights. */
  | 'RSN_ERR_NOT_TRAINABLE'
  | (`RSN_ERR_${string}` & {});

export interface ErrorContext {
  /** Config file involved, if any. */
  file?: string;
  /** JSON pointer into the config (`/search/options/n`). */
  pointer?: string;
  plugin?: string;
  hook?: string;
  /** One line telling the user how to fix it. */
  hint?: string;
  [key: string]: unknown;
}

export class ReasonerError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReasonerError';
    this.code = code;
    this.context = context;
  }

  /** The text the CLI prints: code, message, location, hint; no stack. */
  format(): string {
    const where: string[] = [];
    if (this.context.file) where.push(`file: ${this.context.file}`);
    if (this.context.pointer) where.push(`at: ${this.context.pointer}`);
    if (this.context.plugin) where.push(`plugin: ${this.context.plugin}`);
    if (this.context.hook) where.push(`hook: ${this.context.hook}`);
    const lines = [`${this.code}: ${this.message}`];
    if (where.length) lines.push(`  ${where.join('  ')}`);
    if (this.context.hint) lines.push(`  fix: ${this.context.hint}`);
    return lines.join('\n');
  }

  toJSON(): { code: string; message: string; context: ErrorContext } {
    return { code: this.code, message: this.message, context: this.context };
  }
}

/** Duck-typed so that errors from a second copy of @reasoner/core are still recognised. */
export function isReasonerError(e: unknown): e is ReasonerError {
  return e instanceof ReasonerError || (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && String((e as { code: string }).code).startsWith('RSN_ERR_') && typeof (e as { format?: unknown }).format === 'function');
}

const IO_CODES: Record<string, string> = {
  ENOENT: 'does not exist', EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  EISDIR: 'is a directory', ENOTDIR: 'a part of the path is not a directory', ENOSPC: 'no space left on the device',
  EEXIST: 'already exists', EMFILE: 'too many open files', EDQUOT: 'disk quota exceeded', ENAMETOOLONG: 'name too long',
};

/** A Node file-system error (ENOENT, EACCES, EROFS, …) of the user's environment, as opposed to a bug. */
export function isIoError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in IO_CODES && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** Wraps a file-system error as RSN_ERR_IO naming the path; anything else passes through unchanged. */
export function ioError(e: unknown, path: string | undefined, what: string, hint?: string): unknown {
  if (!isIoError(e)) return e;
  const p = e.path ?? path;
  return new ReasonerError('RSN_ERR_IO', `${what}: ${IO_CODES[e.code!]}${p ? ` (${e.code} ${p})` : ` (${e.code})`}`, {
    path: p, hint: hint ?? 'check that the folder exists and that you may write there (or pick another path)',
  }, { cause: e });
}
