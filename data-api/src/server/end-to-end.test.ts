import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgrestClient } from '@supabase/postgrest-js';
import { createLogger, findFreePort, withClient } from '@launchdb/common';
import { createDataApiTestDatabase, pgBouncerBinary, startTestPgBouncer, TEST_JWT_SECRET, testConfig, type DataApiTestDatabase } from '../execute/test-fixtures.ts';
import { startDataApi, type RunningDataApi } from './start.ts';

function jwt(claims: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

/**
 * The whole data API as a process runs it — the real parser, planner and schema cache — driven
 * by @supabase/postgrest-js, the client supabase-js uses.
 */
describe('the data API end to end, with postgrest-js', () => {
  let database: DataApiTestDatabase;
  let running: RunningDataApi;
  let anon: PostgrestClient;
  let member: PostgrestClient;

  beforeAll(async () => {
    database = await createDataApiTestDatabase(
      'e2e',
      `
      create table api.notes (id int generated always as identity primary key, item_id int references api.items (id), body text not null);
      grant select on api.notes to :anon;
      grant select, insert, update, delete on api.notes to :member;
      create function api.add(a int, b int) returns int language sql immutable as $$ select a + b $$;
      create function api.whoami() returns text language sql stable as $$ select current_user::text $$;
      grant execute on function api.add(int, int), api.whoami() to :anon, :member;
      insert into api.items (name) values ('first'), ('second'), ('third');
      `,
    );
    const port = await findFreePort();
    running = await startDataApi(testConfig(database, { PGRST_SERVER_HOST: '127.0.0.1', PGRST_SERVER_PORT: String(port) }), {
      logger: createLogger({ level: 'silent', name: 'data-api' }),
      handleSignals: false,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    await running.whenReady();
    anon = new PostgrestClient(running.url);
    member = new PostgrestClient(running.url, { headers: { Authorization: `Bearer ${jwt({ role: database.member, sub: 'u1' })}` } });
  });

  afterAll(async () => {
    await running?.close();
    await database?.drop();
  });

  it('reads with filters, order and an exact count', async () => {
    const { data, error, count, status } = await anon.from('items').select('id, name', { count: 'exact' }).gt('id', 1).order('id', { ascending: false });
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(count).toBe(2);
    expect(data).toEqual([
      { id: 3, name: 'third' },
      { id: 2, name: 'second' },
    ]);
  });

  it('pages with Range and answers 206 with the total', async () => {
    const { data, count, status } = await anon.from('items').select('name', { count: 'exact' }).order('id').range(0, 0);
    expect(status).toBe(206);
    expect(count).toBe(3);
    expect(data).toEqual([{ name: 'first' }]);
  });

  it('inserts as the token role and returns the representation', async () => {
    const { data, error, status } = await member.from('notes').insert({ item_id: 1, body: 'hello' }).select();
    expect(error).toBeNull();
    expect(status).toBe(201);
    expect(data).toEqual([{ id: 1, item_id: 1, body: 'hello' }]);
    const denied = await anon.from('notes').insert({ item_id: 1, body: 'nope' });
    expect(denied.status).toBe(401);
    expect(denied.error?.code).toBe('42501');
  });

  it('embeds a related table and reads a single row', async () => {
    const { data, error } = await anon.from('items').select('name, notes(body)').eq('id', 1).single();
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'first', notes: [{ body: 'hello' }] });
    const none = await anon.from('items').select().eq('id', 99).single();
    expect(none.status).toBe(406);
    expect(none.error?.code).toBe('PGRST116');
  });

  it('updates and deletes with a count', async () => {
    const updated = await member.from('notes').update({ body: 'changed' }).eq('id', 1).select();
    expect(updated.data).toEqual([{ id: 1, item_id: 1, body: 'changed' }]);
    const deleted = await member.from('notes').delete({ count: 'exact' }).eq('id', 1);
    expect([deleted.status, deleted.count]).toEqual([204, 1]);
    expect((await withClient(database.adminUrl, (client) => client.query('select count(*)::int as n from api.notes'))).rows[0].n).toBe(0);
  });

  it('calls functions, by POST and by GET', async () => {
    const sum = await anon.rpc('add', { a: 2, b: 40 });
    expect([sum.status, sum.data]).toEqual([200, 42]);
    const read = await member.rpc('whoami', {}, { get: true });
    expect(read.data).toBe(database.member);
  });

  it('rolls back on Prefer: tx=rollback only when db-tx-end allows it', async () => {
    const response = await fetch(`${running.url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt({ role: database.member })}`, prefer: 'tx=rollback' },
      body: JSON.stringify({ body: 'kept, tx=rollback is not allowed by db-tx-end=commit' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('preference-applied')).toBeNull();
    expect((await withClient(database.adminUrl, (client) => client.query('select count(*)::int as n from api.notes'))).rows[0].n).toBe(1);

    const overridable = await startDataApi(
      testConfig(database, { PGRST_SERVER_HOST: '127.0.0.1', PGRST_SERVER_PORT: String(await findFreePort()), PGRST_DB_TX_END: 'commit-allow-override', PGRST_DB_CHANNEL_ENABLED: 'false' }),
      { logger: createLogger({ level: 'silent', name: 'data-api' }), handleSignals: false },
    );
    try {
      await overridable.whenReady();
      const rolledBack = await fetch(`${overridable.url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt({ role: database.member })}`, prefer: 'tx=rollback, return=representation' },
        body: JSON.stringify({ body: 'rolled back' }),
      });
      expect(rolledBack.status).toBe(201);
      expect(rolledBack.headers.get('preference-applied')).toContain('tx=rollback');
      expect(await rolledBack.json()).toEqual([expect.objectContaining({ body: 'rolled back' })]);
      expect((await withClient(database.adminUrl, (client) => client.query('select count(*)::int as n from api.notes'))).rows[0].n).toBe(1);
    } finally {
      await overridable.close();
    }
  });

  it('describes the schema with OpenAPI at the root, as the role sees it', async () => {
    const response = await fetch(`${running.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8');
    const document = await response.json();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/', '/items', '/notes', '/rpc/add']));
  });

  it('sees a new table after NOTIFY pgrst', async () => {
    await withClient(database.adminUrl, async (client) => {
      await client.query(`create table api.later (id int primary key); grant select on api.later to "${database.anon}"`);
      await client.query("notify pgrst, 'reload schema'");
    });
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await anon.from('later').select()).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  });

  it('plans a read asked before a schema reload again: a dropped table is 404 PGRST205, not a stale plan', async () => {
    for (let i = 0; i < 2; i++) expect((await anon.from('later').select()).status).toBe(200);
    await withClient(database.adminUrl, async (client) => {
      await client.query('drop table api.later');
      await client.query("notify pgrst, 'reload schema'");
    });
    // until the reload lands, the old schema cache still knows the table (Postgres then says 42P01)
    const deadline = Date.now() + 10_000;
    let answer = await anon.from('later').select();
    while (answer.error?.code !== 'PGRST205' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await anon.from('later').select();
    }
    expect([answer.status, answer.error?.code]).toEqual([404, 'PGRST205']);
  });

  describe.runIf(pgBouncerBinary || process.env.CI)('through PgBouncer (transaction pooling), LISTEN on a direct connection', () => {
    it('loads the schema cache, reads, writes and reloads on NOTIFY', async () => {
      const bouncer = await startTestPgBouncer(database, 2);
      const behind = await startDataApi(
        testConfig(database, { PGRST_SERVER_HOST: '127.0.0.1', PGRST_SERVER_PORT: String(await findFreePort()), PGRST_DB_URI: bouncer.url, PGRST_DB_LISTEN_URI: database.authenticatorUrl }),
        { logger: createLogger({ level: 'silent', name: 'data-api' }), handleSignals: false, backoff: { initialMs: 20, maxMs: 200 } },
      );
      try {
        await behind.whenReady();
        const client = new PostgrestClient(behind.url, { headers: { Authorization: `Bearer ${jwt({ role: database.member })}` } });
        const inserted = await client.from('notes').insert({ body: 'via pgbouncer' }).select('body');
        expect([inserted.status, inserted.data]).toEqual([201, [{ body: 'via pgbouncer' }]]);
        const read = await client.from('items').select('name').order('id').limit(1);
        expect(read.data).toEqual([{ name: 'first' }]);

        await withClient(database.adminUrl, async (admin) => {
          await admin.query(`create table api.via_bouncer (id int primary key); grant select on api.via_bouncer to "${database.member}"`);
          await admin.query("notify pgrst, 'reload schema'");
        });
        const deadline = Date.now() + 10_000;
        let status = 0;
        while (Date.now() < deadline && status !== 200) {
          status = (await client.from('via_bouncer').select()).status;
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(status).toBe(200);
      } finally {
        await behind.close();
        await bouncer.close();
      }
    });
  });
});
