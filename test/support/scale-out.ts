import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { spawnNode, type ChildNode } from './child-node.js';
import { PG_URL } from './postgres.js';
import { dropScaleResources } from './scale-resources.js';
import { loginToken } from './http.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Guard for a beforeAll that starts processes one after another: spawnNode allows each 120 s (a loaded machine
 * needs 15-40 s), so a hook starting two or three must allow more than one such start.
 */
export const SPAWN_HOOK_MS = 300_000;

/** GET `path` of one process's web API, logged in as `username`; a non-2xx answer (login or GET) throws. */
export async function getAs<T>(httpPort: number, username: string, password: string, path: string): Promise<T> {
  const token = await loginToken(httpPort, username, password);
  const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${path} ${r.status}`);
  return (await r.json()) as T;
}

/** One node run as several `kizuna serve` processes on the shared PostgreSQL and NATS JetStream. */
export interface ScaleOutNode {
  /** random per run: schema, node id and temp dir are unique, so parallel runs never meet */
  suffix: string;
  schema: string;
  nodeId: string;
  /** temp directory of the run (data directories and config files go below it) */
  dir: string;
  /** `serve` arguments of one process: this node's store and bus, bound to 127.0.0.1, every port 0 */
  serveArgs(config: string, dataDir: string): string[];
  /** a process of the node, stopped after the file's tests (a killed one is left as it is) */
  spawn(args: string[]): Promise<ChildNode>;
  /** closed after the tests, before the processes stop (clients, sockets) */
  closeFirst(c: { close(): void }): void;
  /** run after the processes stopped, before the shared resources are dropped (an embedded peer node) */
  afterStop(fn: () => Promise<unknown>): void;
}

/**
 * The set-up of the scale-out tests, registered as afterAll of the calling describe: a fresh schema `kz_<tag>_<suffix>`,
 * node id `<nodeIdPrefix>-<suffix>`, and on the way out every client closed, every process stopped, and the schema,
 * stream, lease bucket and temp directory removed.
 */
export function useScaleOutNode(tag: string, nodeIdPrefix = 'JPN'): ScaleOutNode {
  const suffix = randomBytes(4).toString('hex');
  const schema = `kz_${tag}_${suffix}`;
  const nodeId = `${nodeIdPrefix}-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), `kizuna-${tag}-`));
  const procs: ChildNode[] = [];
  const clients: { close(): void }[] = [];
  const after: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.stop()));
    for (const fn of after) await fn();
    await dropScaleResources(PG_URL, schema, NATS_URL, nodeId);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    suffix,
    schema,
    nodeId,
    dir,
    serveArgs: (config, dataDir) => [
      '--config', config, '--nation', 'JPN', '--node-id', nodeId, '--data', dataDir, '--host', '127.0.0.1',
      '--store', `${PG_URL}?schema=${schema}`, '--bus', NATS_URL,
      '--tcp-port', '0', '--tls-port', '0', '--http-port', '0', '--https-port', '0', '--enroll-port', '0', '--federation-port', '0',
    ],
    async spawn(args) {
      const p = await spawnNode(args);
      procs.push(p);
      return p;
    },
    closeFirst: (c) => clients.push(c),
    afterStop: (fn) => after.push(fn),
  };
}
