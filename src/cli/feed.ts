/**
 * `kizuna feed replay FILE --to HOST:PORT [--udp] [--rate N]`: sends a recorded NMEA or SBS-1 file to a
 * node's feed port line by line, as a receiver or dump1090 would (exercises, tests). Lines go out as
 * recorded, bad ones included: the node's counters show what it skipped.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';

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
  const port = Number(to.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--to must be HOST:PORT, got ${to}`);
  return { host: to.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Returns the number of lines sent. */
export async function replayFeed(o: ReplayOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { host, port } = target(o.to);
  const lines = readFileSync(o.file, 'latin1').split(/\r?\n/).filter((l) => l.length > 0);
  const gap = o.rate && o.rate > 0 ? 1000 / o.rate : 0;
  let sent = 0;
  if (o.udp) {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    for (let r = 0; r < (o.repeat ?? 1); r++) {
      for (const l of lines) {
        await new Promise<void>((ok, fail) => sock.send(`${l}\r\n`, port, host, (err) => (err ? fail(err) : ok())));
        sent++;
        if (gap) await pause(gap);
      }
    }
    sock.close();
  } else {
    const sock = net.connect({ host, port });
    await new Promise<void>((ok, fail) => {
      sock.once('connect', ok);
      sock.once('error', fail);
    });
    for (let r = 0; r < (o.repeat ?? 1); r++) {
      for (const l of lines) {
        if (!sock.write(`${l}\r\n`)) await new Promise((d) => sock.once('drain', d));
        sent++;
        if (gap) await pause(gap);
      }
    }
    await new Promise<void>((ok) => sock.end(ok));
  }
  out(`sent ${sent} lines to ${host}:${port} over ${o.udp ? 'UDP' : 'TCP'}`);
  return sent;
}
