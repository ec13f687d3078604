import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationsTable {
  schema: string;
  table: string;
}

const FILE_PATTERN = /^(\d+)[_-](.+)\.sql$/;

/** Numbered `.sql` files of a folder, in version order; other files are ignored. */
export async function readMigrations(folder: string): Promise<Migration[]> {
  const names = (await readdir(folder)).filter((name) => FILE_PATTERN.test(name));
  const migrations = await Promise.all(
    names.map(async (file) => {
      const [, version, name] = FILE_PATTERN.exec(file)!;
      const sql = await readFile(join(folder, file), 'utf8');
      return { version: version!, name: name!, sql, checksum: sha256(sql) };
    }),
  );
  migrations.sort((a, b) => Number(a.version) - Number(b.version));
  for (let i = 1; i < migrations.length; i += 1) {
    if (Number(migrations[i]!.version) === Number(migrations[i - 1]!.version)) {
      throw new Error(`two migrations share version ${migrations[i]!.version} in ${folder}`);
    }
  }
  return migrations;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Applies each migration not yet recorded, each in its own transaction together with its
 * record, so a failure leaves the database at the last good version. An advisory lock makes
 * two processes starting at once apply each migration exactly once. A recorded migration whose
 * file changed afterwards is refused: migrations are forward-only.
 */
export async function applyMigrations(
  client: pg.Client | pg.PoolClient,
  migrations: Migration[],
  table: MigrationsTable,
): Promise<string[]> {
  const qualified = `"${table.schema}"."${table.table}"`;
  // `create … if not exists` is not safe against a concurrent creator: take the lock first.
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [qualified]);
    await client.query(`create schema if not exists "${table.schema}"`);
    await client.query(
      `create table if not exists ${qualified} (
         version text primary key,
         name text not null,
         checksum text not null,
         applied_at timestamptz not null default now()
       )`,
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [qualified]);
      const { rows } = await client.query<{ checksum: string }>(
        `select checksum from ${qualified} where version = $1`,
        [migration.version],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) {
          throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`);
        }
        await client.query('commit');
        continue;
      }
      await client.query(migration.sql);
      await client.query(`insert into ${qualified} (version, name, checksum) values ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      await client.query('commit');
      applied.push(`${migration.version}_${migration.name}`);
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
  return applied;
}
