import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/**
 * A port for a process that must be told its port before it starts (a federation peer named in another
 * node's config). Taken below the kernel's ephemeral range (32768–60999 here), because every `listen(0)`
 * and every outgoing connection of the parallel tests draws from that range: a port handed out there and
 * closed again was seen taken by another test before the child bound it (PORT_IN_USE). Below it, only
 * another planned port can collide, and each one is checked free when planned.
 */
export async function plannedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20_000, 32_000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000 after 50 tries');
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
