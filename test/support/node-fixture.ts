import { afterAll, beforeAll } from 'vitest';
import { startTestNode, type TestNode } from './node-harness.js';

// in a file of its own: node-harness.ts is also loaded by benchmarks, outside vitest

/**
 * Registers beforeAll/afterAll of the calling file or describe: one node as `startTestNode(over)` makes it,
 * handed to `onStart` before the tests and stopped (its temp directory removed) after them.
 */
export function useTestNode(over: Parameters<typeof startTestNode>[0], onStart: (node: TestNode) => void, hookTimeoutMs?: number): void {
  let node: TestNode | undefined;
  beforeAll(async () => {
    node = await startTestNode(over);
    onStart(node);
  }, hookTimeoutMs);
  afterAll(async () => {
    await node?.stop();
    node = undefined;
  });
}
