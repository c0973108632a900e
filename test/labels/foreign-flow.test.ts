import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLabelXml } from '../../src/labels/index.js';
import { allEvents, hasUid } from '../federation-node/cluster.js';
import { startPair, waitFor, type NodePair } from '../support/index.js';
import { sa, TestTakClient } from '../support/tak-client.js';

/**
 * A NATO system's TAK gateway on the USA node sends CoT labelled the way NATO systems write 4774 labels (no
 * Kizuna owner category, policy by OID, no CreationDateTime). The USA node owns it (the arrival context),
 * stores it under the NATO policy, and the federation carries it to JPN where the equivalence table allows.
 */
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'labels');
const natoReleasable = readFileSync(join(fixtures, 'foreign-nato-unclassified-context.xml'), 'utf8');
// the NATO context only: every US audience is in it, no Japanese one
const natoOnly = natoReleasable.replace('<GenericValue>Releasable</GenericValue>', '');
// names GBR as its originator: a US client cannot write a British label
const claimsGbr = natoReleasable.replace('</ConfidentialityInformation>', '</ConfidentialityInformation><OriginatorID IDType="directoryName">CN=Ops,O=Example,C=GBR</OriginatorID>');

let pair: NodePair;
beforeAll(async () => {
  pair = await startPair('foreign-labels');
  await waitFor(() => pair.jpn.federation.status()[0]?.state === 'connected' && pair.usa.federation.status()[0]?.state === 'connected', 'link up', 30_000);
}, 120_000);
afterAll(async () => {
  await pair?.stop();
});

describe('CoT carrying a label written by another system', () => {
  it('flows through the USA node and across the federation to JPN, only where the label allows', async () => {
    const gateway = await TestTakClient.connect(pair.usa.ready.tcp);
    const usaView = await TestTakClient.connect(pair.usa.ready.tcp);
    const jpnView = await TestTakClient.connect(pair.jpn.ready.tcp);
    try {
      gateway.send(sa('NATO-GW-1', 'NATO-REL', { labelXml: natoReleasable }));
      gateway.send(sa('NATO-GW-2', 'NATO-ONLY', { labelXml: natoOnly }));
      gateway.send(sa('NATO-GW-3', 'NATO-GBR', { labelXml: claimsGbr }));

      // releasable: on the USA node's other clients and on JPN's, with the NATO label owned by USA
      const onUsa = await usaView.waitForUid('NATO-GW-1', 20_000);
      const onJpn = await jpnView.waitForUid('NATO-GW-1', 30_000);
      for (const ev of [onUsa, onJpn]) {
        expect(parseLabelXml(ev.labelXml!)).toMatchObject({ policy: 'NATO', classification: 'UNCLASSIFIED', owner: 'USA' });
      }
      const stored = (await allEvents(pair.jpn)).find((e) => e.uid === 'NATO-GW-1')!;
      expect(stored.origin).toBe('USA');
      expect(stored.label).toMatchObject({ policy: 'NATO', owner: 'USA' });

      // NATO context only: stays on USA (US clients see it), never reaches JPN
      await usaView.waitForUid('NATO-GW-2', 20_000);
      expect(await hasUid(pair.usa, 'NATO-GW-2')).toBe(true);
      // the later releasable event has crossed, so the earlier one would have too
      gateway.send(sa('NATO-GW-4', 'NATO-REL-2', { labelXml: natoReleasable }));
      await jpnView.waitForUid('NATO-GW-4', 30_000);
      expect(await hasUid(pair.jpn, 'NATO-GW-2')).toBe(false);
      expect(jpnView.byUid('NATO-GW-2')).toEqual([]);

      // claiming another nation: refused by the write authority, stored nowhere
      expect(await hasUid(pair.usa, 'NATO-GW-3')).toBe(false);
      expect(usaView.byUid('NATO-GW-3')).toEqual([]);
      expect(await hasUid(pair.jpn, 'NATO-GW-3')).toBe(false);
    } finally {
      gateway.close();
      usaView.close();
      jpnView.close();
    }
  }, 120_000);
});
