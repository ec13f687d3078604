import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, quoteIdent, quoteLiteral, serviceUser, StartupError, withClient } from '@launchdb/common';
import { processExists } from '@launchdb/common/processes';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { runAdminCommand } from './admin-console.ts';
import { findPgBouncerBinary } from './locate.ts';
import { PgBouncerProcess, type PgBouncerProcessSettings } from './pgbouncer-process.ts';
import { readScramSecrets } from './scram-secrets.ts';
import type { UserSecret } from './settings.ts';

const binary = findPgBouncerBinary();
const missing = 'no pgbouncer binary on PATH, in /usr/sbin or in /usr/local/sbin (Debian: apt-get install pgbouncer)';
const onCi = Boolean(process.env.CI);
if (!binary && !onCi) console.warn(`skipping the PgBouncer integration tests: ${missing}`);

describe('the pgbouncer binary', () => {
  it.runIf(!binary && onCi)('is installed on CI', () => {
    throw new Error(missing);
  });
});

describe.runIf(binary)('PgBouncerProcess in front of the test PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  const app = { user: `pgb_app_${suffix}`, password: randomBytes(12).toString('hex') };
  const admin = { user: `pgb_admin_${suffix}`, password: randomBytes(12).toString('hex') };
  const another = { user: `pgb_more_${suffix}`, password: randomBytes(12).toString('hex') };
  const serverUrl = inject('postgresUrl');
  const serverPort = Number(new URL(serverUrl).port);
  const tempDirs: string[] = [];
  const log: string[] = [];
  let first: Awaited<ReturnType<typeof createTestDatabase>>;
  let second: Awaited<ReturnType<typeof createTestDatabase>>;
  let users: UserSecret[];
  let settings: PgBouncerProcessSettings;
  let bouncer: PgBouncerProcess;

  async function configDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'launchdb-pgbouncer-'));
    // the postgres OS user (when we are root) must be able to reach it
    await chmod(dir, 0o755);
    tempDirs.push(dir);
    return dir;
  }

  function through<T>(database: string, login: { user: string; password: string }, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return withClient({ host: bouncer.host, port: bouncer.port, database, ...login }, work);
  }

  beforeAll(async () => {
    first = await createTestDatabase('pgbouncer');
    second = await createTestDatabase('pgbouncer_more');
    users = await withClient(serverUrl, async (client) => {
      for (const role of [app, admin]) {
        await client.query(`create role ${quoteIdent(role.user)} login password ${quoteLiteral(role.password)}`);
      }
      return readScramSecrets(client, [app.user, admin.user]);
    });
    settings = {
      listenAddress: '127.0.0.1',
      listenPort: await findFreePort(),
      unixSocketDir: '',
      adminUsers: [admin.user],
      statsUsers: [],
      // one server connection, so consecutive transactions are known to share a session
      databases: [{ alias: 'app', host: '127.0.0.1', port: serverPort, dbname: first.name, poolSize: 1 }],
      maxClientConn: 50,
      defaultPoolSize: 2,
    };
    bouncer = new PgBouncerProcess({
      binary: binary!,
      configDir: await configDir(),
      settings,
      users,
      runAs: serviceUser(),
      admin,
      onLog: (line) => log.push(line),
    });
    await bouncer.start();
  });

  afterAll(async () => {
    await bouncer?.stop();
    await first?.drop();
    await second?.drop();
    await withClient(serverUrl, async (client) => {
      for (const role of [app, admin, another]) await client.query(`drop role if exists ${quoteIdent(role.user)}`);
    });
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  });

  it("passes PgBouncer's log lines on", () => {
    expect(log.some((line) => line.includes(`listening on 127.0.0.1:${settings.listenPort}`))).toBe(true);
  });

  it('runs parameterised (unnamed-statement) queries', async () => {
    const { rows } = await through('app', app, (client) => client.query<{ n: number }>('select $1::int + 1 as n', [41]));
    expect(rows).toEqual([{ n: 42 }]);
  });

  it('forgets set_config(…, true) when the transaction ends, on the same server session', async () => {
    await through('app', app, async (client) => {
      await client.query('begin');
      const inside = await client.query(`select set_config('x.y', 'v', true) as value, pg_backend_pid() as pid`);
      await client.query('commit');
      await client.query('begin');
      const after = await client.query(`select current_setting('x.y', true) as value, pg_backend_pid() as pid`);
      await client.query('commit');
      expect(inside.rows[0]).toMatchObject({ value: 'v' });
      expect(after.rows[0].pid).toBe(inside.rows[0].pid);
      expect(after.rows[0].value ?? '').toBe('');
    });
  });

  it('lets the admin user run SHOW POOLS on the admin console', async () => {
    const rows = await runAdminCommand({ host: bouncer.host, port: bouncer.port, ...admin }, 'SHOW POOLS');
    expect(rows).toContainEqual(expect.objectContaining({ database: 'app', user: app.user, pool_mode: 'transaction' }));
  });

  it('serves a new database alias and user after updateConfig and reload, not before', async () => {
    const newcomer = await withClient(serverUrl, async (client) => {
      await client.query(`create role ${quoteIdent(another.user)} login password ${quoteLiteral(another.password)}`);
      return readScramSecrets(client, [another.user]);
    });
    const more = { ...settings, databases: [...settings.databases, { alias: 'more', host: '127.0.0.1', port: serverPort, dbname: second.name }] };
    await bouncer.updateConfig(more, [...users, ...newcomer]);
    await expect(through('more', app, (client) => client.query('select 1'))).rejects.toThrow(/no such database: more/);
    await expect(through('app', another, (client) => client.query('select 1'))).rejects.toThrow(/SASL authentication failed/);

    await bouncer.reload();
    const { rows } = await through('more', another, (client) => client.query<{ db: string }>('select current_database() as db'));
    expect(rows).toEqual([{ db: second.name }]);
  });

  it('refuses the clients of every alias at once while told to, also after a reload, and admits them again', async () => {
    const inFlight = through('app', app, (client) => client.query('select pg_sleep(5)')).then(() => 'answered', (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await bouncer.refuseClients();
    expect(await inFlight).toMatchObject({ code: '08P01' });
    await expect(through('more', another, (client) => client.query('select 1'))).rejects.toMatchObject({ code: '08P01', message: 'database "more" is disabled' });
    await bouncer.reload();
    await expect(through('app', app, (client) => client.query('select 1'))).rejects.toMatchObject({ code: '08P01', message: 'database "app" is disabled' });
    expect(Date.now() - started).toBeLessThan(1_000);

    await bouncer.admitClients();
    const { rows } = await through('more', another, (client) => client.query<{ n: number }>('select 1 as n'));
    expect(rows).toEqual([{ n: 1 }]);
    expect((await through('app', app, (client) => client.query<{ n: number }>('select 1 as n'))).rows).toEqual([{ n: 1 }]);
  });

  it('refuses to change the listen port without a restart', async () => {
    await expect(bouncer.updateConfig({ ...settings, listenPort: settings.listenPort + 1 }, users)).rejects.toThrow(/only when PgBouncer starts/);
  });

  it('rejects a wrong password', async () => {
    const failure = through('app', { user: app.user, password: 'wrong' }, (client) => client.query('select 1'));
    // PgBouncer answers itself: not PostgreSQL's 28P01 "password authentication failed", but 08P01
    await expect(failure).rejects.toMatchObject({ code: '08P01', message: 'SASL authentication failed' });
  });

  it('refuses to start on a port another process holds', async () => {
    const holder: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const other = new PgBouncerProcess({ binary: binary!, configDir: await configDir(), settings: { ...settings, listenPort: port }, users, runAs: serviceUser() });
      const failure = other.start();
      await expect(failure).rejects.toBeInstanceOf(StartupError);
      await expect(failure).rejects.toThrow(`127.0.0.1:${port}: the port is already in use`);
      expect(other.pid).toBeUndefined();
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('reports why PgBouncer stopped during start-up', async () => {
    // TEST-NET-1: an address no machine of ours has, so PgBouncer itself fails to bind and exits
    const other = new PgBouncerProcess({
      binary: binary!,
      configDir: await configDir(),
      settings: { ...settings, listenAddress: '192.0.2.1', listenPort: await findFreePort() },
      users,
      runAs: serviceUser(),
    });
    const failure = other.start();
    await expect(failure).rejects.toBeInstanceOf(StartupError);
    await expect(failure).rejects.toThrow(/stopped during start-up \(exited with code 1\): WARNING cannot listen on 192\.0\.2\.1:\d+/);
  });

  it('starts again after being killed, although the pid file it left names a live process', async () => {
    const killed = bouncer.pid!;
    bouncer.killNow();
    await waitUntilGone(killed);
    const pidFile = join(bouncer.iniPath, '..', 'pgbouncer.pid');
    // after a SIGKILL the pid may be reused; PgBouncer alone would refuse to start
    await writeFile(pidFile, `${process.pid}\n`);
    await bouncer.start();
    const { rows } = await through('more', app, (client) => client.query<{ n: number }>('select 1 as n'));
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('stop() leaves no PgBouncer process behind', async () => {
    const pid = bouncer.pid!;
    expect(processExists(pid)).toBe(true);
    await bouncer.stop();
    expect(processExists(pid)).toBe(false);
    expect(bouncer.pid).toBeUndefined();
    expect(existsSync(join(bouncer.iniPath, '..', 'pgbouncer.pid'))).toBe(false);
  }, 15_000);

});

async function waitUntilGone(pid: number): Promise<void> {
  for (let tries = 0; tries < 100 && processExists(pid); tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
}
