import type { Logger } from '../util/log.js';

/** What a started node must undo, in reverse order of starting; a failing step is logged and the rest still run. */
export class Closers {
  private readonly steps: (() => Promise<void> | void)[] = [];

  constructor(private readonly log: Logger) {}

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async closeAll(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await Promise.resolve()
        .then(step)
        .catch((err: unknown) => this.log.warn({ err }, 'close step failed'));
    }
  }
}

/** Logs a background failure by its error code only: messages may name objects the log reader is not cleared for. */
export function warnCode(log: Logger, what: string): (err: unknown) => void {
  return (err) => log.warn({ code: (err as { code?: string }).code ?? 'INTERNAL' }, what);
}
