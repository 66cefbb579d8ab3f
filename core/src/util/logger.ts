/** Minimal structured logger; writes to stderr so `--json` stdout stays machine-readable. */
export type { Logger } from '../types/services.js';
import type { Logger } from '../types/services.js';

export type { LogLevel } from '../types/services.js';
import type { LogLevel } from '../types/services.js';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel = 'info', name = 'reasoner', json = false): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, data?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    if (json) process.stderr.write(JSON.stringify({ level: lvl, name, msg, ...data }) + '\n');
    else process.stderr.write(`[${name}] ${lvl === 'info' ? '' : lvl + ': '}${msg}${data ? ' ' + JSON.stringify(data) : ''}\n`);
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
    child: (n) => createLogger(level, `${name}:${n}`, json),
  };
}
