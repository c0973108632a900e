import { afterAll, beforeAll } from 'vitest';
import { startDemo, type Demo, type DemoOptions } from '../../src/demo/run.js';
import type { KizunaNode } from '../../src/node/node.js';
import { tmpDir } from './tmp.js';

/** Demo nodes (`kizuna demo`) on free ports in a fresh temp directory, removed again by `stop`. */
export interface DemoNodes {
  demo: Demo;
  nodes: KizunaNode[];
  dir: string;
  stop(): Promise<void>;
}

export type TestDemoOptions = Omit<DemoOptions, 'basePort' | 'dataDir' | 'print'>;

/** `kizuna demo` as a test starts it: every port 0, nothing printed, data in `kizuna-<name>-…` under the OS temp dir. */
export async function startDemoNodes(name: string, o: TestDemoOptions): Promise<DemoNodes> {
  const { dir, cleanup } = tmpDir(`kizuna-${name}-`);
  const demo = await startDemo({ basePort: 0, dataDir: dir, print: false, ...o });
  return {
    demo,
    nodes: demo.nodes,
    dir,
    stop: async () => {
      await demo.stop();
      cleanup();
    },
  };
}

/**
 * Registers beforeAll/afterAll of the calling file or describe: the demo nodes start before its tests
 * (`onStart` receives them, in the order of `o.nations`) and stop, with their directory removed, after them.
 */
export function useDemoNodes(name: string, o: TestDemoOptions, onStart: (nodes: KizunaNode[]) => void): void {
  let d: DemoNodes | undefined;
  beforeAll(async () => {
    d = await startDemoNodes(name, o);
    onStart(d.nodes);
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    d = undefined;
  });
}

export interface NodePair extends DemoNodes {
  jpn: KizunaNode;
  usa: KizunaNode;
}

/** Two federated demo nodes (JPN, USA) on free ports in a fresh temp directory, without the exercise scenario. */
export async function startPair(name: string): Promise<NodePair> {
  const d = await startDemoNodes(`pair-${name}`, { scenario: false });
  const [jpn, usa] = d.nodes as [KizunaNode, KizunaNode];
  return { ...d, jpn, usa };
}
