#!/usr/bin/env node
// `kizuna` as the README-commands test runs it (installed as `kizuna` on PATH for each README block).
// Short commands run as they are. Long-running ones (serve, demo) run until ready and are then stopped
// with SIGTERM; their ports are replaced by 0 (any free port) because the README's fixed ports may be
// taken on a shared machine. Everything else on the line is left as written.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [, , ...args] = process.argv;
const cli = JSON.parse(process.env.KIZUNA_README_CLI);
const sub = args[0];
const longRunning = { serve: 1, demo: 2 }[sub]; // ready lines to wait for

function freePorts(a) {
  const out = [];
  for (let i = 0; i < a.length; i++) {
    if (/^--(tcp|tls|http|https|enroll|federation|base)-port$/.test(a[i])) i++;
    else out.push(a[i]);
  }
  if (sub === 'demo') return [...out, '--base-port', '0'];
  return [...out, ...['tcp', 'tls', 'http', 'https', 'enroll', 'federation'].flatMap((k) => [`--${k}-port`, '0'])];
}

if (!longRunning) {
  const child = spawn(cli[0], [...cli.slice(1), ...args], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const child = spawn(cli[0], [...cli.slice(1), ...freePorts(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let ready = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    process.stdout.write(line + '\n');
    if (/^\{"ready":true/.test(line) && ++ready === longRunning) child.kill('SIGTERM');
  });
  child.on('exit', (code, signal) => {
    if (ready < longRunning) process.stderr.write(`kizuna ${sub} ended before it was ready\n`);
    process.exit(ready === longRunning ? (code ?? (signal ? 1 : 0)) : 1);
  });
}
