import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationStatus } from '../../src/cli/federation.js';

describe('kizuna federation status', () => {
  let server: http.Server;
  let url: string;
  let body = '[]';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url !== '/api/federation/status') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const row = { peer: 'usa', nation: 'USA', state: 'connected', outboxDepth: 3, lastAckSeq: 42, lastAckAt: Date.now(), sent: 45, received: 7, rejected: 1, outboxFull: false, droppedWhileFull: 0 };

  it('prints a table of peers', async () => {
    body = JSON.stringify([row, { ...row, peer: 'phl', nation: 'PHL', state: 'down', outboxFull: true, droppedWhileFull: 9 }]);
    const lines: string[] = [];
    expect(await federationStatus({ url }, (l) => lines.push(l))).toBe(2);
    const text = lines.join('\n');
    expect(text).toMatch(/PEER\s+NATION\s+STATE\s+OUTBOX/);
    expect(text).toMatch(/usa\s+USA\s+connected\s+3\s+42/);
    expect(text).toMatch(/phl\s+PHL\s+down.*YES \(9 dropped\)/);
  });

  it('prints JSON with --json, and fails on a bad answer', async () => {
    body = JSON.stringify([row]);
    const lines: string[] = [];
    expect(await federationStatus({ url, json: true }, (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toEqual([row]);
    body = '{"not":"an array"}';
    expect(await federationStatus({ url }, () => undefined)).toBe(1);
  });
});
