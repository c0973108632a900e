import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs (pino) to stderr, so stdout stays free for the machine-readable ready line.
 * Log lines carry codes and ids, never object content (the guard decides content; logs are an egress path).
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const level = opts.level ?? process.env.KIZUNA_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ level, name: opts.name ?? 'kizuna', base: { pid: process.pid } }, pino.destination(2));
}
