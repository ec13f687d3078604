import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, findFreePort, StartupError, withClient } from '@launchdb/common';
import { createDataApiTestDatabase, pgBouncerBinary, resultStatement, startTestPgBouncer, testConfig, testPlan, type DataApiTestDatabase } from '../execute/test-fixtures.ts';
import { startDataApi, type StartDataApiOptions } from './start.ts';
import { CountingSchemaCache, testParseRequest, testPlanner, testSchemaCache } from './test-stages.ts';

const logger = createLogger({ level: 'silent', name: 'data-api' });
const fastBackoff = { initialMs: 20, maxMs: 200 };
const plan = testPlanner({
  'GET /items': () => testPlan(resultStatement({ body: "coalesce(json_agg(i order by i.id), '[]')", pageTotal: 'count(*)', from: 'api.items i' })),
  'GET /slow': () => testPlan(resultStatement({ body: "(select 'done' from pg_sleep(0.6))" })),
});

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startDataApi', () => {
  let database: DataApiTestDatabase;
  let folder: string;

  beforeAll(async () => {
    database = await createDataApiTestDatabase('start');
    folder = await mkdtemp(join(tmpdir(), 'data-api-start-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}, options: Partial<StartDataApiOptions> = {}, schemaCache = new CountingSchemaCache(testSchemaCache([{ name: 'items' }]))) {
    const config = testConfig(database, { PGRST_SERVER_HOST: '127.0.0.1', PGRST_SERVER_PORT: String(await findFreePort()), ...env });
    const running = await startDataApi(config, { logger, handleSignals: false, parseRequest: testParseRequest, plan, schemaCache, backoff: fastBackoff, ...options });
    return { running, schemaCache };
  }

  it('serves requests, with /live and /ready on the admin port once the schema cache is loaded', async () => {
    const schemaCache = new CountingSchemaCache(testSchemaCache([{ name: 'items' }]), false);
    schemaCache.fail = true;
    const { running } = await start({ PGRST_ADMIN_SERVER_PORT: String(await findFreePort()) }, {}, schemaCache);
    try {
      expect((await fetch(`${running.adminUrl}/live`)).status).toBe(200);
      expect((await fetch(`${running.adminUrl}/ready`)).status).toBe(503);
      const early = await fetch(`${running.url}/items`);
      expect([early.status, (await early.json()).code]).toEqual([503, 'PGRST002']);

      // the loader keeps retrying with backoff until the database answers
      await eventually(() => schemaCache.reloads >= 2);
      schemaCache.fail = false;
      await running.whenReady();
      expect(schemaCache.reloads).toBeGreaterThan(1);
      expect((await fetch(`${running.adminUrl}/ready`)).status).toBe(200);
      const response = await fetch(`${running.url}/items`);
      expect([response.status, await response.json()]).toEqual([200, []]);
    } finally {
      await running.close();
    }
  });

  it("reloads the schema cache on NOTIFY pgrst, 'reload schema', also after the LISTEN connection was lost", async () => {
    const { running, schemaCache } = await start({ PGRST_DB_CHANNEL: 'pgrst_test' });
    try {
      await running.whenReady();
      await eventually(() => hasListener(database, 'pgrst_test'));
      const before = schemaCache.reloads;
      await withClient(database.adminUrl, (client) => client.query("notify pgrst_test, 'reload schema'"));
      await eventually(() => schemaCache.reloads === before + 1);
      await withClient(database.adminUrl, (client) => client.query("notify pgrst_test, ''"));
      await eventually(() => schemaCache.reloads === before + 2);

      // the listener's connection is killed: it comes back by itself and reloads (notifications may have been missed)
      await withClient(database.adminUrl, (client) =>
        client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'launchdb-data-api-listener'"),
      );
      await eventually(() => schemaCache.reloads === before + 3);
      await eventually(() => hasListener(database, 'pgrst_test'));
      await withClient(database.adminUrl, (client) => client.query("notify pgrst_test, 'reload schema'"));
      await eventually(() => schemaCache.reloads === before + 4);
    } finally {
      await running.close();
    }
  });

  it("reloads the config on NOTIFY pgrst, 'reload config' and SIGUSR2, the schema cache on SIGUSR1", async () => {
    const configFile = join(folder, 'reload.conf');
    await writeFile(configFile, 'db-max-rows = 5\n');
    const schemaCache = new CountingSchemaCache(testSchemaCache([{ name: 'items' }]));
    const config = testConfig(database, { PGRST_SERVER_HOST: '127.0.0.1', PGRST_SERVER_PORT: String(await findFreePort()) });
    const env = { PGRST_DB_URI: database.authenticatorUrl, PGRST_DB_SCHEMAS: 'api', PGRST_DB_ANON_ROLE: database.anon, PGRST_SERVER_PORT: '1' };
    const running = await startDataApi({ ...config, configFile, dbMaxRows: 5 }, { logger, env, parseRequest: testParseRequest, plan, schemaCache, backoff: fastBackoff, handleSignals: true });
    try {
      await running.whenReady();
      await eventually(() => hasListener(database, 'pgrst'));
      await writeFile(configFile, 'db-max-rows = 7\n');
      await withClient(database.adminUrl, (client) => client.query("notify pgrst, 'reload config'"));
      await eventually(() => running.config().dbMaxRows === 7);
      // the port is read once: a new value waits for a restart
      expect(running.config().serverPort).toBe(config.serverPort);

      await writeFile(configFile, 'db-max-rows = 9\n');
      process.kill(process.pid, 'SIGUSR2');
      await eventually(() => running.config().dbMaxRows === 9);

      // a broken file keeps the previous config
      await writeFile(configFile, 'db-max-rows = nine\n');
      await running.reloadConfig();
      expect(running.config().dbMaxRows).toBe(9);

      const before = schemaCache.reloads;
      process.kill(process.pid, 'SIGUSR1');
      await eventually(() => schemaCache.reloads > before);
    } finally {
      await running.close();
    }
    expect(process.listenerCount('SIGUSR1')).toBe(0);
  });

  it('finishes a request in flight when shut down, then accepts no more', async () => {
    const { running } = await start();
    await running.whenReady();
    const slow = fetch(`${running.url}/slow`);
    await eventually(() =>
      withClient(database.adminUrl, async (client) => (await client.query("select 1 from pg_stat_activity where query like '%pg_sleep(0.6)%' and pid <> pg_backend_pid()")).rows.length > 0),
    );
    const closed = running.close();
    const response = await slow;
    expect([response.status, await response.text()]).toEqual([200, 'done']);
    await closed;
    await expect(fetch(`${running.url}/items`)).rejects.toThrow();
  });

  it('refuses to start on a port in use, naming it', async () => {
    const holder: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const failure = start({ PGRST_SERVER_PORT: String(port) });
      await expect(failure).rejects.toBeInstanceOf(StartupError);
      await expect(failure).rejects.toThrow(`127.0.0.1:${port} (server-port): the port is already in use`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  describe.runIf(pgBouncerBinary || process.env.CI)('behind PgBouncer', () => {
    it('answers 503 while PgBouncer is down and recovers by itself when it is back', async () => {
      const bouncer = await startTestPgBouncer(database, 2);
      const schemaCache = new CountingSchemaCache(testSchemaCache([{ name: 'items' }]));
      // like the real holder, loading needs the database (through PgBouncer)
      schemaCache.probe = () => withClient(bouncer.url, async (client) => void (await client.query('select 1')));
      const { running } = await start({ PGRST_DB_URI: bouncer.url, PGRST_DB_LISTEN_URI: database.authenticatorUrl }, {}, schemaCache);
      try {
        await running.whenReady();
        expect((await fetch(`${running.url}/items`)).status).toBe(200);

        await bouncer.process.stop();
        const down = await fetch(`${running.url}/items`);
        expect(down.status).toBe(503);
        const error = await down.json();
        expect(['PGRST000', 'PGRST001']).toContain(error.code);
        expect(error.message).toMatch(/^Database (connection|client) error\. Retrying the connection\.$/);

        const loadsWhileDown = schemaCache.loads;
        await bouncer.process.start();
        const back = await fetch(`${running.url}/items`);
        expect([back.status, await back.json()]).toEqual([200, []]);
        // and the schema cache is reloaded once the database answers again
        await eventually(() => schemaCache.loads > loadsWhileDown);
      } finally {
        await running.close();
        await bouncer.close();
      }
    });
  });
});

async function hasListener(database: DataApiTestDatabase, channel: string): Promise<boolean> {
  return withClient(database.adminUrl, async (client) => {
    const { rows } = await client.query(
      "select 1 from pg_stat_activity where datname = current_database() and application_name = 'launchdb-data-api-listener' and state = 'idle' and query ilike $1",
      [`listen "${channel}"`],
    );
    return rows.length > 0;
  });
}


