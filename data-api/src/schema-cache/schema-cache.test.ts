import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPool, withClient } from '@launchdb/common';
import { PgrstError } from '../errors.ts';
import { createFixtureDatabase, type FixtureDatabase } from '../../test/fixtures/load-fixture.ts';
import { SchemaCacheHolder } from './schema-cache.ts';
import type { SchemaCache } from './types.ts';

function emptyCache(marker: string): SchemaCache {
  return { schemas: [marker], relations: new Map(), relationships: new Map(), routines: new Map(), loadedAt: new Date() };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SchemaCacheHolder', () => {
  test('is not ready (PGRST002, 503) until the first load succeeds', async () => {
    const holder = new SchemaCacheHolder(async () => {
      throw new Error('database down');
    });
    expect(holder.isReady).toBe(false);
    expect(() => holder.current).toThrow(PgrstError);
    try {
      void holder.current;
    } catch (error) {
      expect((error as PgrstError).status).toBe(503);
      expect((error as PgrstError).code).toBe('PGRST002');
    }
    const result = await holder.reload();
    expect(result.ok).toBe(false);
    expect(holder.isReady).toBe(false);
    expect(holder.lastError).toBeInstanceOf(Error);
  });

  test('a reload replaces the cache as a whole; a request keeps the cache it started with', async () => {
    let generation = 0;
    const gate = deferred<void>();
    const holder = new SchemaCacheHolder(async () => {
      generation++;
      if (generation === 2) await gate.promise;
      return emptyCache(`g${generation}`);
    });
    await holder.reload();
    const inFlight = holder.current; // a request takes the cache once
    expect(inFlight.schemas).toEqual(['g1']);

    const reloading = holder.reload();
    // while the new cache loads, readers still get the old one
    expect(holder.current).toBe(inFlight);
    gate.resolve();
    const result = await reloading;
    expect(result.ok).toBe(true);
    expect(holder.current.schemas).toEqual(['g2']);
    // the request in flight still reads what it started with
    expect(inFlight.schemas).toEqual(['g1']);
  });

  test('a failed reload keeps the previous cache and reports the error', async () => {
    const errors: unknown[] = [];
    let fail = false;
    const holder = new SchemaCacheHolder(
      async () => {
        if (fail) throw new Error('introspection failed');
        return emptyCache('good');
      },
      { onError: (error) => errors.push(error) },
    );
    await holder.reload();
    const good = holder.current;
    fail = true;
    const result = await holder.reload();
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && (result.error as Error).message).toBe('introspection failed');
    expect(holder.current).toBe(good);
    expect(errors).toHaveLength(1);
    expect(holder.lastError).toBe(errors[0]);
    fail = false;
    expect((await holder.reload()).ok).toBe(true);
    expect(holder.lastError).toBeUndefined();
  });

  test('reloads never overlap; asks during a reload share one more reload after it', async () => {
    let running = 0;
    let maxRunning = 0;
    let loads = 0;
    const gates = [deferred<void>(), deferred<void>()];
    const holder = new SchemaCacheHolder(async () => {
      const index = loads++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gates[index]?.promise;
      running--;
      return emptyCache(`load${index}`);
    });
    const first = holder.reload();
    const second = holder.reload();
    const third = holder.reload();
    expect(second).toBe(third);
    gates[0]!.resolve();
    expect((await first).ok).toBe(true);
    gates[1]!.resolve();
    const shared = await second;
    expect(shared.ok && shared.cache.schemas).toEqual(['load1']);
    expect(loads).toBe(2);
    expect(maxRunning).toBe(1);
    expect(holder.current.schemas).toEqual(['load1']);
    // idle again: the next ask starts a new load at once
    await holder.reload();
    expect(loads).toBe(3);
  });

  test('a throwing report callback does not break reloads', async () => {
    const holder = new SchemaCacheHolder(async () => emptyCache('x'), {
      onLoad: () => {
        throw new Error('logger broke');
      },
    });
    expect((await holder.reload()).ok).toBe(true);
    expect(holder.isReady).toBe(true);
  });
});

describe('SchemaCacheHolder.forPool against the fixture', () => {
  let db: FixtureDatabase;

  beforeAll(async () => {
    db = await createFixtureDatabase('holder');
  });

  afterAll(async () => {
    await db?.drop();
  });

  test('sees DDL after a reload while readers keep reading the old cache', async () => {
    const pool = createPool({ connectionString: db.authenticatorUrl, applicationName: 'schema-cache-test', max: 2 });
    try {
      const loads: number[] = [];
      const holder = SchemaCacheHolder.forPool(pool, ['api'], { onLoad: (_cache, ms) => loads.push(ms) });
      const first = await holder.reload();
      expect(first.ok).toBe(true);
      const before = holder.current;
      expect(before.relations.has('api.tasks')).toBe(true);
      expect(before.relations.has('api.inspections')).toBe(false);

      await withClient(db.url, (client) =>
        client.query(`create table api.inspections (id serial primary key, property_id int not null references api.properties (id), done_on date)`),
      );

      // readers hammer the cache while it reloads
      let reads = 0;
      let stop = false;
      const reader = (async () => {
        while (!stop) {
          const cache = holder.current;
          expect(cache.relations.get('api.tasks')?.primaryKey).toEqual(['id']);
          reads++;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const second = await holder.reload();
      stop = true;
      await reader;

      expect(second.ok).toBe(true);
      expect(reads).toBeGreaterThan(0);
      expect(holder.current.relations.has('api.inspections')).toBe(true);
      expect(holder.current.relationships.get('api.inspections')?.[0]).toMatchObject({ kind: 'many-to-one', target: { schema: 'api', name: 'properties' } });
      expect(before.relations.has('api.inspections')).toBe(false);
      expect(loads).toHaveLength(2);
    } finally {
      await pool.end();
    }
  });

  test('a failed reload (database gone) keeps the cache', async () => {
    const pool = createPool({ connectionString: db.authenticatorUrl, applicationName: 'schema-cache-test', max: 1 });
    const holder = SchemaCacheHolder.forPool(pool, ['api']);
    await holder.reload();
    const cache = holder.current;
    await pool.end();
    const result = await holder.reload();
    expect(result.ok).toBe(false);
    expect(holder.current).toBe(cache);
  });
});
