/**
 * The test harness, one entry point:
 * - waitFor / sleep: wait on conditions, never on time (wait.ts);
 * - tmpDir: a fresh temp directory and its removal (tmp.ts);
 * - errorCode, thrownKizunaError: the KizunaError (code) a call throws (errors.ts);
 * - startTestNode, useTestNode: one real node, every port 0, own data dir; useTestNode as beforeAll/afterAll (node-harness.ts, node-fixture.ts);
 * - startPair, startDemoNodes, useDemoNodes: two federated nodes JPN and USA, or any `kizuna demo` set-up (pair.ts);
 * - spawnNode: a node in a child process (child-node.ts);
 * - TestTakClient, sa: a TAK streaming client and SA events (tak-client.ts);
 * - startProxy: the one TCP proxy for link faults: cuts, byte budgets, garbage, truncation, stalls (proxy.ts);
 * - useScaleOutNode: one node as several processes on PostgreSQL + NATS, and its clean-up (scale-out.ts);
 * - usePostgres: the PostgreSQL server the scale-out tests need, throwaway schemas (postgres.ts);
 * - startMartiNode, sha256hex: the Marti servers alone with client certificates (marti.ts);
 * - chunksAt: a buffer cut into the pieces a stream is fed in (chunks.ts);
 * - loginToken: a bearer token from a node's web API login (http.ts).
 * Federation-level nodes (without the full node) are in test/federation/harness.ts; browser helpers in
 * test/e2e/support/.
 */
export { DEFAULT_WAIT_MS, sleep, waitFor } from './wait.js';
export { tmpDir } from './tmp.js';
export { errorCode, thrownKizunaError } from './errors.js';
export { startTestNode, type TestNode } from './node-harness.js';
export { useTestNode } from './node-fixture.js';
export { startPair, startDemoNodes, useDemoNodes, type NodePair, type DemoNodes } from './pair.js';
export { spawnNode, type ChildNode } from './child-node.js';
export { TestTakClient, sa } from './tak-client.js';
export { usePostgres, PG_URL } from './postgres.js';
export { startProxy, type LinkProxy } from './proxy.js';
export { useScaleOutNode, getAs, type ScaleOutNode } from './scale-out.js';
export { dropScaleResources } from './scale-resources.js';
export { startMartiNode, sha256hex, type MartiNode } from './marti.js';
export { chunksAt } from './chunks.js';
export { loginToken } from './http.js';
