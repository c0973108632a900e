import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionBudget, connectionBudgetFromFdLimit, resolveConnectionBudget } from './budget.js';
import type { Logger } from '../util/log.js';

/** Refusals are counted every time but logged once per address per interval, with the unlogged count. */
describe('connection budget refusal log', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('logs a flood from one address once per interval and counts every refusal', async () => {
    // every refused client sees its connection closed
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const budget = new ConnectionBudget({ maxConnections: 100, maxPerAddress: { tcp: 2, tls: 2 }, tcpIdleTimeoutMs: 0, refusalLogIntervalMs: 60_000 }, log);
    cleanups.push(() => budget.stop());
    const server = net.createServer((s) => void budget.admit(s, 'tcp'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => void server.close());
    const port = (server.address() as net.AddressInfo).port;
    const closes: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      const c = net.connect(port, '127.0.0.1').on('error', () => undefined);
      c.resume();
      cleanups.push(() => void c.destroy());
      closes.push(new Promise((r) => c.once('close', () => r())));
    }
    // two admitted, ten refused (closed by the server)
    for (;;) {
      if (budget.stats.refusedPerAddress === 10) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(budget.stats.open).toBe(2);
    await Promise.all(closes.slice(2));
    const refusals = lines.filter((l) => l.msg === 'streaming connection refused: budget exhausted');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ address: '127.0.0.1', transport: 'tcp', reason: 'per-address', refusedSinceLastLog: 1 });
  });
});

/** The global budget derived from the fd limit must leave a useful budget at common limits. */
describe('connection budget from the fd limit', () => {
  function capture(): { log: Logger; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    return { log, lines };
  }

  it('reserves at most a quarter of the soft limit', () => {
    // soft 1024 with the default reserve of 1024: 768 streaming sockets, not 1
    expect(connectionBudgetFromFdLimit(1024, 1024, 10_000)).toEqual({ maxConnections: 768, reservedFds: 256 });
    expect(connectionBudgetFromFdLimit(20_000, 1024, 10_000)).toEqual({ maxConnections: 18_976, reservedFds: 1024 });
    expect(connectionBudgetFromFdLimit(256, 1024, 10_000).maxConnections).toBe(192);
    expect(connectionBudgetFromFdLimit(undefined, 1024, 10_000).maxConnections).toBe(10_000);
  });

  it('warns when the budget is too small to be useful, naming the keys and ulimit -n', () => {
    const small = capture();
    expect(resolveConnectionBudget(0, 64, 1024, small.log)).toBe(48);
    const warn = small.lines.find((l) => l.level === 40);
    expect(warn?.msg).toMatch(/connections\.reservedFds/);
    expect(warn?.msg).toMatch(/connections\.maxConnections/);
    expect(warn?.msg).toMatch(/ulimit -n/);
    expect(warn).toMatchObject({ maxConnections: 48, fdLimit: 64 });

    const configured = capture();
    expect(resolveConnectionBudget(10, 20_000, 1024, configured.log)).toBe(10);
    expect(configured.lines.some((l) => l.level === 40)).toBe(true);

    const fine = capture();
    expect(resolveConnectionBudget(0, 1024, 1024, fine.log)).toBe(768);
    expect(fine.lines.some((l) => l.level === 40)).toBe(false);
  });
});
