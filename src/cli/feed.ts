/**
 * `kizuna feed replay FILE --to HOST:PORT [--udp] [--rate N]`: sends a recorded NMEA or SBS-1 file to a
 * node's feed port line by line, as a receiver or dump1090 would (exercises, tests). Lines go out as
 * recorded, bad ones included: the node's counters show what it skipped. Bad arguments, an unreadable
 * file and a target that refuses or drops the connection end the command with a coded error (exit 2),
 * never a hang.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { KizunaError } from '../util/errors.js';

export interface ReplayOptions {
  file: string;
  to: string;
  udp?: boolean;
  /** lines per second; 0 = as fast as the socket takes them */
  rate?: number;
  /** times to send the file */
  repeat?: number;
}

function target(to: string): { host: string; port: number } {
  const i = to.lastIndexOf(':');
  const portText = to.slice(i + 1);
  const port = Number(portText);
  if (i <= 0 || !/^\d+$/.test(portText) || port < 1 || port > 65535) throw new KizunaError('BAD_REQUEST', `--to must be HOST:PORT (port 1-65535), got ${to}`);
  return { host: to.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

function checkOptions(o: ReplayOptions): { rate: number; repeat: number } {
  const rate = o.rate ?? 0;
  const repeat = o.repeat ?? 1;
  if (!Number.isFinite(rate) || rate < 0) throw new KizunaError('BAD_REQUEST', `--rate must be a number of lines per second (0 = as fast as possible), got ${o.rate}`);
  if (!Number.isInteger(repeat) || repeat < 1) throw new KizunaError('BAD_REQUEST', `--repeat must be a whole number of times (1 or more), got ${o.repeat}`);
  return { rate, repeat };
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'latin1').split(/\r?\n/).filter((l) => l.length > 0);
  } catch (err) {
    throw new KizunaError('BAD_REQUEST', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sendUdp(host: string, port: number, lines: string[], repeat: number, gap: number): Promise<number> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let sent = 0;
  try {
    for (let r = 0; r < repeat; r++) {
      for (const l of lines) {
        await new Promise<void>((ok, fail) => sock.send(`${l}\r\n`, port, host, (err) => (err ? fail(err) : ok())));
        sent++;
        if (gap) await pause(gap);
      }
    }
  } catch (err) {
    throw new KizunaError('BAD_REQUEST', `cannot send to ${host}:${port} over UDP after ${sent} lines: ${(err as Error).message}`, { cause: err });
  } finally {
    sock.close();
  }
  return sent;
}

async function sendTcp(host: string, port: number, lines: string[], repeat: number, gap: number): Promise<number> {
  const where = `${host}:${port}`;
  const sock = net.connect({ host, port });
  // every wait below also ends when the connection fails or closes: a target that drops us never hangs the replay
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (err: Error): void => {
    failure ??= err;
    wake?.();
  };
  let connected = false;
  let ending = false;
  sock.on('error', fail);
  sock.on('close', () => (ending ? wake?.() : fail(new Error('the target closed the connection'))));
  const until = (event: 'connect' | 'drain'): Promise<void> =>
    new Promise<void>((ok) => {
      wake = ok;
      sock.once(event, ok);
    }).finally(() => (wake = undefined));
  let sent = 0;
  const check = (): void => {
    if (!failure) return;
    const what = connected ? `connection to ${where} lost after ${sent} lines` : `cannot connect to ${where}`;
    throw new KizunaError('BAD_REQUEST', `${what}: ${failure.message}`, { cause: failure });
  };
  try {
    await until('connect');
    check();
    connected = true;
    for (let r = 0; r < repeat; r++) {
      for (const l of lines) {
        if (!sock.write(`${l}\r\n`)) await until('drain');
        check();
        sent++;
        if (gap) await pause(gap);
      }
    }
    ending = true;
    await new Promise<void>((ok) => {
      wake = ok;
      sock.end(ok);
    });
    check();
  } finally {
    sock.destroy();
  }
  return sent;
}

/** Returns the number of lines sent. */
export async function replayFeed(o: ReplayOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { host, port } = target(o.to);
  const { rate, repeat } = checkOptions(o);
  const lines = readLines(o.file);
  const gap = rate > 0 ? 1000 / rate : 0;
  const sent = o.udp ? await sendUdp(host, port, lines, repeat, gap) : await sendTcp(host, port, lines, repeat, gap);
  out(`sent ${sent} lines to ${host}:${port} over ${o.udp ? 'UDP' : 'TCP'}`);
  return sent;
}
