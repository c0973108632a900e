import { startDemo, type Demo } from '../../src/demo/run.js';
import type { KizunaNode } from '../../src/node/node.js';
import { tmpDir } from './tmp.js';

export interface NodePair {
  demo: Demo;
  jpn: KizunaNode;
  usa: KizunaNode;
  dir: string;
  stop(): Promise<void>;
}

/** Two federated demo nodes (JPN, USA) on free ports in a fresh temp directory, without the exercise scenario. */
export async function startPair(name: string): Promise<NodePair> {
  const { dir, cleanup } = tmpDir(`kizuna-pair-${name}-`);
  const demo = await startDemo({ basePort: 0, dataDir: dir, scenario: false, print: false });
  const [jpn, usa] = demo.nodes as [KizunaNode, KizunaNode];
  return {
    demo,
    jpn,
    usa,
    dir,
    stop: async () => {
      await demo.stop();
      cleanup();
    },
  };
}
