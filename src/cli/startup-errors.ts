import type { NodeConfig } from '../node/config.js';
import { KizunaError, isKizunaError } from '../util/errors.js';

type Errno = NodeJS.ErrnoException & { port?: number; address?: string };

const LISTEN_CODES = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** The first error in the cause chain that a failed listen() left behind. */
function listenError(err: unknown): Errno | undefined {
  for (let e = err as Errno | undefined, i = 0; e && i < 10; e = e.cause as Errno | undefined, i++) {
    if (e.code && LISTEN_CODES.has(e.code) && (e.syscall === 'listen' || e.port !== undefined)) return e;
  }
  return undefined;
}

/** `--http-port` / `"ports": {"http": …}` for each configured port equal to `port`. */
function portSettings(config: NodeConfig, port: number | undefined): string {
  const keys = Object.entries(config.ports).filter(([, v]) => v === port).map(([k]) => k);
  if (!keys.length) return 'a port of this node';
  return keys.map((k) => `ports.${k} (flag --${k}-port, config "ports": {"${k}": …})`).join(' or ');
}

/**
 * Turns a start-up failure into an operator error naming the cause and the fix. A listen failure says which
 * port and which setting chose it; anything already coded passes through unchanged.
 */
export function explainStartFailure(err: unknown, config: NodeConfig): unknown {
  return explainListenFailure(err, config.host, (port) => portSettings(config, port));
}

/** The same for any command that opens ports; `which` names the setting that chose a port. */
export function explainListenFailure(err: unknown, host: string, which: (port: number | undefined) => string): unknown {
  const e = listenError(err);
  if (!e) {
    const inner = (err as { cause?: unknown }).cause;
    return isKizunaError(err, 'INTERNAL') && isKizunaError(inner) ? inner : err;
  }
  const port = e.port;
  const addr = port === undefined ? (e.address ?? host) : `${e.address ?? host}:${port}`;
  const setBy = which(port);
  if (e.code === 'EADDRINUSE') {
    return new KizunaError(
      'PORT_IN_USE',
      `${addr}, set by ${setBy}. Stop the other process (find it with \`ss -ltnp 'sport = :${port}'\`) or choose another port (0 = any free port)`,
      { cause: err },
    );
  }
  if (e.code === 'EACCES') {
    return new KizunaError(
      'PORT_DENIED',
      `${addr}, set by ${setBy}, is not allowed. Ports below 1024 need privileges: choose a port ≥ 1024`,
      { cause: err },
    );
  }
  return new KizunaError(
    'ADDRESS_UNAVAILABLE',
    `cannot listen on ${addr}: ${e.address ?? host} is not an address of this machine; set --host (KIZUNA_HOST, config "host") to one of its addresses or 0.0.0.0`,
    { cause: err },
  );
}
