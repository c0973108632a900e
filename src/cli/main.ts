import { Command, InvalidArgumentError } from 'commander';
import { isKizunaError } from '../util/errors.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('port must be 0..65535');
  return n;
}

/** Entry point of the `kizuna` command. Each subcommand loads its module lazily (fast start-up). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('kizuna')
    .description('Kizuna (絆): sovereign national nodes for a bilateral common operating picture')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('start one national node (TAK streaming, web COP, API, federation)')
    .option('-c, --config <file>', 'JSON config file')
    .option('--nation <XXX>', 'nation trigraph, e.g. JPN')
    .option('--node-id <id>', 'node id (default: the nation)')
    .option('--data <dir>', 'data directory')
    .option('--host <addr>', 'listen address')
    .option('--public-host <name>', 'host name for certificates and data packages')
    .option('--tcp-port <n>', 'CoT over TCP (0 = any free port)', port)
    .option('--tls-port <n>', 'CoT over TLS with client certificates', port)
    .option('--http-port <n>', 'web COP, REST API, /healthz, /metrics', port)
    .option('--https-port <n>', 'TAK HTTPS API with client certificates', port)
    .option('--enroll-port <n>', 'certificate enrollment (HTTPS, basic auth)', port)
    .option('--federation-port <n>', 'federation (mutual TLS)', port)
    .option('--store <spec>', 'postgres://… or a SQLite file')
    .option('--bus <spec>', 'nats://… (default: in-process)')
    .action(async (opts) => {
      const { runServe } = await import('./serve.js');
      await runServe(opts);
    });

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
      const nations = String(opts.nations).split(',').map((n: string) => n.trim().toUpperCase()).filter(Boolean);
      await runDemo({ basePort: opts.basePort, dataDir: opts.data, scenario: opts.scenario, nations, mesh: opts.mesh === true });
    });

  const certs = program.command('certs').description('node PKI: CA, client certificates, data packages, revocation');
  certs
    .command('init')
    .option('--data <dir>', 'data directory', '.kizuna/node')
    .requiredOption('--nation <XXX>', 'nation trigraph')
    .option('--node-id <id>')
    .option('--host <name...>', 'extra host names for the server certificate')
    .action(async (opts) => (await import('./certs.js')).certsInit(opts));
  certs
    .command('client <name>')
    .description('issue a client certificate (PKCS#12) and an ATAK connection data package')
    .option('--data <dir>', 'data directory', '.kizuna/node')
    .option('--groups <groups...>', 'TAK groups', ['__ANON__'])
    .option('--role <role>', 'viewer|operator|coordinator|administrator', 'operator')
    .option('--host <name>', 'server host name for the data package', 'localhost')
    .option('--tls-port <n>', 'streaming TLS port for the data package', port, 8089)
    .option('--out <dir>', 'output directory', '.')
    .action(async (name, opts) => {
      await (await import('./certs.js')).certsClient(name, opts);
    });
  certs
    .command('revoke <name>')
    .option('--data <dir>', 'data directory', '.kizuna/node')
    .action(async (name, opts) => {
      await (await import('./certs.js')).certsRevoke(name, opts);
    });
  certs
    .command('enroll-link <name>')
    .description('print a one-time enrollment link and QR code')
    .option('--data <dir>', 'data directory', '.kizuna/node')
    .option('--host <name>', 'server host name', 'localhost')
    .option('--enroll-port <n>', 'enrollment port', port, 8446)
    .option('--tls-port <n>', 'streaming TLS port the phone connects to afterwards', port, 8089)
    .option('--groups <groups...>', 'TAK groups of the enrolled certificate')
    .option('--role <role>', 'viewer|operator|coordinator|administrator')
    .option('--ttl-minutes <n>', 'how long the one-time link stays valid', Number, 24 * 60)
    .action(async (name, opts) => {
      await (await import('./certs.js')).certsEnrollLink(name, opts);
    });

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

  program
    .command('audit')
    .description('audit chain tools')
    .command('verify')
    .option('--data <dir>', 'data directory of the node', '.kizuna/node')
    .option('--store <spec>', 'postgres://… or a SQLite file')
    .option('--anchors <file>', 'JSON [{seq, hash}] of this chain countersigned by a peer (kizuna federation anchors)')
    .action(async (opts) => {
      const { auditVerify } = await import('./audit.js');
      process.exitCode = await auditVerify(opts);
    });

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
    .option('--data <dir>', 'data directory of THIS node', '.kizuna/node')
    .option('--store <spec>', 'postgres://… or a SQLite file')
    .action(async (peer, opts) => {
      const { federationAnchors } = await import('./federation.js');
      process.exitCode = await federationAnchors({ ...opts, peer });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('commander.')) {
      const code = (err as { exitCode?: number }).exitCode ?? 1;
      process.exitCode = code;
      return;
    }
    if (isKizunaError(err)) {
      process.stderr.write(`kizuna: ${err.code}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (invokedDirectly && process.argv[1]?.includes('cli/main')) {
  await main(process.argv.slice(2));
}
