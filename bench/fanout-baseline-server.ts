/**
 * The ceiling for bench/fanout: a trivial broadcast server that splits on `</event>` and writes each
 * event to every other client, with no parsing, labels, store or routing. Prints its port.
 */
import net from 'node:net';
import http from 'node:http';

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
// the same /healthz probe as the node's, so responsiveness is compared under the same load
const web = http.createServer((_req, res) => res.end('{"ok":true}'));
server.listen(0, '127.0.0.1', () => {
  web.listen(0, '127.0.0.1', () => {
    const ports = { tcp: (server.address() as net.AddressInfo).port, http: (web.address() as net.AddressInfo).port };
    process.stdout.write(JSON.stringify({ ready: true, ...ports }) + '\n');
  });
});
process.on('SIGTERM', () => process.exit(0));
