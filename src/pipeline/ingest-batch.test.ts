import { describe, expect, it } from 'vitest';
import type { CotEvent } from '../cot/model.js';
import { ingestBatch, type SensorWrites } from './ingest-batch.js';
import type { IngestDeps, IngestSource } from './ingest.js';

const ev: CotEvent = {
  version: '2.0', uid: 'u-1', type: 'a-f-G', how: 'm-g', time: '2026-12-03T06:00:00Z', start: '2026-12-03T06:00:00Z',
  stale: '2026-12-03T06:10:00Z', point: { lat: 35, lon: 139, hae: 0, ce: 1, le: 1 }, detailXml: '',
};

describe('ingestBatch: only sensor feeds choose how their events are written', () => {
  const asks: [string, SensorWrites][] = [
    ['latestOnly', { latestOnly: new Set([ev]) }],
    ['liveOnly', { liveOnly: new Set([ev]) }],
    ['storeOnly', { storeOnly: true }],
  ];
  for (const kind of ['tak', 'federation', 'api'] as const) {
    for (const [name, writes] of asks) {
      it(`${kind} source asking ${name}: refused before anything is admitted or written`, async () => {
        // deps that fail loudly if touched: the refusal comes first
        const deps = new Proxy({}, { get: (_t, p) => { throw new Error(`deps.${String(p)} used`); } }) as IngestDeps;
        const source = { kind, actor: { identity: 'x', nation: 'JPN' } } as unknown as IngestSource;
        await expect(ingestBatch(deps, [ev], source, undefined, writes)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      });
    }
  }
});
