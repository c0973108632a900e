import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { isKizunaError } from '../util/errors.js';
import { SERVE_HELP_AFTER, serveDefault } from './serve-help.js';

/** The package version (package.json is two levels up from src/cli and from dist/cli alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('port must be 0..65535');
  return n;
}

/** Where a command finds the node's data directory (the same rule for every command). */
const dataHelp = 'node data directory (default: KIZUNA_DATA, else .kizuna/<nation>, else the only node under .kizuna/)';

/** `serve`: one national node. */
function addServe(program: Command): void {
  program
    .command('serve')
    .description('start one national node (TAK streaming, web COP, API, federation)')
    .option('-c, --config <file>', 'JSON config file (strict JSON; keys: docs/configuration.md)')
    .option('--nation <XXX>', 'nation trigraph, e.g. JPN (required; env KIZUNA_NATION)')
    .option('--node-id <id>', 'node id (default: the nation)')
    .option('--data <dir>', 'data directory (default: .kizuna/<nation>; env KIZUNA_DATA)')
    .option('--host <addr>', `listen address (default: ${serveDefault('host')}; env KIZUNA_HOST)`)
    .option('--public-host <name>', `host name for certificates and data packages (default: ${serveDefault('publicHost')})`)
    .option('--tcp-port <n>', `CoT over TCP, 0 = any free port (default: ${serveDefault('ports.tcp')})`, port)
    .option('--tls-port <n>', `CoT over TLS with client certificates (default: ${serveDefault('ports.tls')})`, port)
    .option('--http-port <n>', `web COP, REST API, /healthz, /metrics (default: ${serveDefault('ports.http')})`, port)
    .option('--https-port <n>', `TAK HTTPS API with client certificates (default: ${serveDefault('ports.https')})`, port)
    .option('--enroll-port <n>', `certificate enrollment, HTTPS with basic auth (default: ${serveDefault('ports.enroll')})`, port)
    .option('--federation-port <n>', `federation, mutual TLS (default: ${serveDefault('ports.federation')})`, port)
    .option('--store <spec>', 'postgres://… or a SQLite file (default: DATA/kizuna.db; env KIZUNA_STORE)')
    .option('--bus <spec>', 'nats://… (default: in-process; env KIZUNA_BUS)')
    .addHelpText('after', SERVE_HELP_AFTER)
    .action(async (opts) => {
      const { runServe } = await import('./serve.js');
      await runServe(opts);
    });
}

/** `demo`: federated nations with an exercise scenario. */
function addDemo(program: Command): void {
  program
    .command('demo')
    .description('federated nations on embedded defaults with a moving exercise scenario (default JPN, USA; --nations JPN,USA,PHL: a line JPN–USA–PHL)')
    .option('--base-port <n>', 'first port; each node uses a block of 10', port, 18000)
    .option('--data <dir>', 'data directory', '.kizuna/demo')
    .option('--nations <list>', 'comma-separated nations, linked in a line in this order', 'JPN,USA')
    .option('--mesh', 'link every pair of nations directly (adds JPN–PHL)')
    .option('--no-scenario', 'start the nodes without the scenario generator')
    .action(async (opts) => {
      const { runDemo } = await import('../demo/run.js');
      const { explainListenFailure } = await import('./startup-errors.js');
      const nations = String(opts.nations).split(',').map((n: string) => n.trim().toUpperCase()).filter(Boolean);
      await runDemo({ basePort: opts.basePort, dataDir: opts.data, scenario: opts.scenario, nations, mesh: opts.mesh === true }).catch((err: unknown) => {
        throw explainListenFailure(err, '127.0.0.1', () => `the demo's ports (--base-port ${opts.basePort}: one block of 10 per nation)`);
      });
    });
}

/** `certs`: the node PKI. */
function addCerts(program: Command): void {
  const certs = program.command('certs').description('node PKI: CA, client certificates, data packages, revocation');
  certs
    .command('init')
    .option('--data <dir>', 'data directory (default: KIZUNA_DATA, else .kizuna/<nation>)')
    .requiredOption('--nation <XXX>', 'nation trigraph')
    .option('--node-id <id>')
    .option('--host <name...>', 'extra host names for the server certificate')
    .action(async (opts) => {
      const { writableDataDir } = await import('./data-dir.js');
      await (await import('./certs.js')).certsInit({ ...opts, data: writableDataDir(opts) });
    });
  certs
    .command('client <name>')
    .description('issue a client certificate (PKCS#12) and an ATAK connection data package')
    .option('--data <dir>', dataHelp)
    .option('--nation <XXX>', 'use .kizuna/<nation> (env KIZUNA_NATION)')
    .option('--groups <groups...>', 'TAK groups', ['__ANON__'])
    .option('--role <role>', 'viewer|operator|coordinator|administrator', 'operator')
    .option('--host <name>', 'server host name for the data package', 'localhost')
    .option('--tls-port <n>', 'streaming TLS port for the data package', port, 8089)
    .option('--out <dir>', 'output directory', '.')
    .action(async (name, opts) => {
      const { nodeDirWithPki } = await import('./data-dir.js');
      await (await import('./certs.js')).certsClient(name, { ...opts, data: nodeDirWithPki(opts) });
    });
  certs
    .command('revoke <name>')
    .option('--data <dir>', dataHelp)
    .option('--nation <XXX>', 'use .kizuna/<nation> (env KIZUNA_NATION)')
    .action(async (name, opts) => {
      const { nodeDirWithPki } = await import('./data-dir.js');
      await (await import('./certs.js')).certsRevoke(name, { data: nodeDirWithPki(opts) });
    });
  certs
    .command('enroll-link <name>')
    .description('print a one-time enrollment link and QR code')
    .option('--data <dir>', dataHelp)
    .option('--nation <XXX>', 'use .kizuna/<nation> (env KIZUNA_NATION)')
    .option('--host <name>', 'server host name', 'localhost')
    .option('--enroll-port <n>', 'enrollment port', port, 8446)
    .option('--tls-port <n>', 'streaming TLS port the phone connects to afterwards', port, 8089)
    .option('--groups <groups...>', 'TAK groups of the enrolled certificate')
    .option('--role <role>', 'viewer|operator|coordinator|administrator')
    .option('--ttl-minutes <n>', 'how long the one-time link stays valid', Number, 24 * 60)
    .action(async (name, opts) => {
      const { nodeDirWithPki } = await import('./data-dir.js');
      await (await import('./certs.js')).certsEnrollLink(name, { ...opts, data: nodeDirWithPki(opts) });
    });
}

/** `label`: policy-file checks. */
function addLabel(program: Command): void {
  const label = program.command('label').description('check policy files: JSON lines on stdin, one result per line on stdout');
  for (const sub of ['decide', 'combine', 'translate', 'render'] as const) {
    label
      .command(sub)
      .option('--to <policy>', 'target policy (translate)')
      .option('--lang <lang>', 'en or ja (render)', 'en')
      .option('--policies <dir>', 'policy directory')
      .action(async (opts) => {
        const { runLabelCommand } = await import('./label.js');
        process.exitCode = await runLabelCommand(sub, opts, process.stdin, process.stdout);
      });
  }
  label
    .command('import-spif')
    .description('turn an Open XML SPIF into a Kizuna policy file; reports on stderr what it could not map')
    .argument('<file>', 'SPIF XML file')
    .option('--out <file>', 'write the policy file here (default: stdout)')
    .option('--id <id>', 'policy id when the SPIF policy name is not a valid id')
    .action(async (file: string, opts: { out?: string; id?: string }) => {
      const { runImportSpif } = await import('./label.js');
      process.exitCode = runImportSpif(file, opts, process.stdout, process.stderr);
    });
}

/** `audit verify`. */
function addAudit(program: Command): void {
  program
    .command('audit')
    .description('audit chain tools')
    .command('verify')
    .option('--data <dir>', dataHelp)
    .option('--nation <XXX>', 'use .kizuna/<nation> (env KIZUNA_NATION)')
    .option('--store <spec>', 'postgres://… or a SQLite file')
    .option('--anchors <file>', 'JSON [{seq, hash}] of this chain countersigned by a peer (kizuna federation anchors)')
    .action(async (opts) => {
      const { auditVerify } = await import('./audit.js');
      const { nodeDirWithStore } = await import('./data-dir.js');
      process.exitCode = await auditVerify(opts.store ? opts : { ...opts, data: nodeDirWithStore(opts) });
    });
}

/** `federation`: link status and countersigned anchors. */
function addFederation(program: Command): void {
  const federation = program.command('federation').description('federation tools');
  federation
    .command('status')
    .description('peer links, outbox depths (login: KIZUNA_USER + KIZUNA_PASSWORD, or KIZUNA_TOKEN)')
    .option('--url <url>', 'HTTP URL of the node', 'http://127.0.0.1:8080')
    .option('--json', 'print JSON')
    .option('--user <name>', 'operator to log in as (password from KIZUNA_PASSWORD)')
    .action(async (opts) => {
      const { federationStatus } = await import('./federation.js');
      process.exitCode = await federationStatus(opts);
    });
  federation
    .command('anchors <peer>')
    .description("print the peer's audit heads this node countersigned (JSON, for the peer's `audit verify --anchors`)")
    .option('--data <dir>', `THIS node's ${dataHelp}`)
    .option('--nation <XXX>', 'use .kizuna/<nation> (env KIZUNA_NATION)')
    .option('--store <spec>', 'postgres://… or a SQLite file')
    .action(async (peer, opts) => {
      const { federationAnchors } = await import('./federation.js');
      const { nodeDirWithStore } = await import('./data-dir.js');
      process.exitCode = await federationAnchors({ ...opts, ...(opts.store ? {} : { data: nodeDirWithStore(opts) }), peer });
    });
}

/** `feed replay`: recorded sensor feeds into a node. */
function addFeed(program: Command): void {
  program
    .command('feed')
    .description('sensor feed tools')
    .command('replay <file>')
    .description('send a recorded NMEA (AIS) or SBS-1 file to a node feed port, line by line')
    .requiredOption('--to <host:port>', 'the feed port (tcp-server or udp feed)')
    .option('--udp', 'send datagrams instead of a TCP stream')
    .option('--rate <n>', 'lines per second (0 = as fast as possible)', (v) => Number(v), 0)
    .option('--repeat <n>', 'times to send the file', (v) => Number(v), 1)
    .action(async (file, opts) => {
      const { replayFeed } = await import('./feed.js');
      await replayFeed({ file, ...opts });
    });
}

/** Entry point of the `kizuna` command. Each subcommand loads its module lazily (fast start-up). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('kizuna')
    .description('Kizuna (絆): sovereign national nodes for a bilateral common operating picture')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of errors (also KIZUNA_DEBUG=1)')
    .showHelpAfterError()
    .exitOverride();

  for (const add of [addServe, addDemo, addCerts, addLabel, addAudit, addFederation, addFeed]) add(program);

  // --debug is accepted anywhere on the line (before or after the subcommand)
  const debug = argv.includes('--debug') || process.env.KIZUNA_DEBUG === '1';
  try {
    await program.parseAsync(argv.filter((a) => a !== '--debug'), { from: 'user' });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('commander.')) {
      const code = (err as { exitCode?: number }).exitCode ?? 1;
      process.exitCode = code;
      return;
    }
    reportError(err, debug);
  }
}

/**
 * Operator-facing failure: one line naming the code, the cause and the fix; the stack trace (and the
 * chain of causes) only with --debug.
 */
function reportError(err: unknown, debug: boolean): void {
  const known = isKizunaError(err);
  const line = known ? `${err.code}: ${err.message}` : `INTERNAL: ${(err as Error)?.message ?? String(err)}`;
  process.stderr.write(`kizuna: ${line}\n`);
  if (debug) {
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  } else if (!known) {
    process.stderr.write('kizuna: run again with --debug for the stack trace\n');
  }
  process.exitCode = known ? 2 : 1;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (invokedDirectly && process.argv[1]?.includes('cli/main')) {
  await main(process.argv.slice(2));
}
