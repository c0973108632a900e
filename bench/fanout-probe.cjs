/**
 * Responsiveness probe for bench/fanout, in its own process so the load generator's busy loop does not
 * delay it: GET the URL every 250 ms on a fresh connection and print `{"at":…, "ms":…}` per answer
 * (a request unanswered after 10 s prints ms = 10000). Run with `node -e` (source, URL).
 */
const http = require('node:http');

const url = process.argv[1];
function probe() {
  const at = Date.now();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    process.stdout.write(JSON.stringify({ at, ms: Date.now() - at }) + '\n');
  };
  const req = http.get(url, { agent: false, timeout: 10_000 }, (res) => {
    res.resume();
    res.on('end', finish);
  });
  req.on('timeout', () => (req.destroy(), finish()));
  req.on('error', finish);
}
setInterval(probe, 250);
process.on('SIGTERM', () => process.exit(0));
