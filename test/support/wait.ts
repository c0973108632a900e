/**
 * The one way tests wait: for a condition, never for a fixed time. `timeoutMs` only bounds a hang; on a
 * loaded machine conditions may take long, so the default is generous.
 */
export const DEFAULT_WAIT_MS = 15_000;

/** Polls `pred` (sync or async) until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

/** A pause between polls or to yield the event loop; never a substitute for waiting on a condition. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
