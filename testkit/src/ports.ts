import { randomInt } from 'node:crypto';
import { isPortFree } from '@launchdb/common/net';

/**
 * A port for a server a test starts later and keeps for a while (the platform, its PostgreSQL,
 * its PgBouncer). `findFreePort()` hands out ports from the kernel's ephemeral range, which every
 * other test file running at the same time also draws from — for its own servers and for each
 * outgoing connection — so a port found free there may be taken before it is bound. Below that
 * range (Linux: 32768-60999) only tests that choose ports on purpose compete.
 */
export async function reservePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = randomInt(20_000, 32_000);
    if (await isPortFree(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}
