/**
 * The ceiling for bench/fanout: a trivial broadcast server that splits on `</event>` and writes each
 * event to every other client, with no parsing, labels, store or routing. Prints its port.
 */
import net from 'node:net';

const clients = new Set<net.Socket>();
const server = net.createServer((s) => {
  clients.add(s);
  let buf: Buffer = Buffer.alloc(0);
  s.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let end: number;
    while ((end = buf.indexOf('</event>')) >= 0) {
      const ev = buf.subarray(0, end + 8);
      buf = buf.subarray(end + 8);
      for (const c of clients) {
        if (c === s || c.writableLength >= 8 * 1024 * 1024) continue;
        // same write batching as the node (one writev per turn), so the ceiling is a fair one
        if (!c.writableCorked) {
          c.cork();
          setImmediate(() => c.uncork());
        }
        c.write(ev);
      }
    }
  });
  s.on('error', () => undefined);
  s.on('close', () => clients.delete(s));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ ready: true, tcp: (server.address() as net.AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
