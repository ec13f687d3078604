import { spawn, type ChildProcess } from 'node:child_process';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { quoteIdent, withClient, withDatabase } from '@launchdb/common/db';
import type { ProjectNames } from '@launchdb/common/projects';
import { BackupErrors } from './errors.ts';
import { libpqEnvironment, type PostgresTools } from './tools.ts';

export interface TableCount {
  schema: string;
  name: string;
  rows: number;
}

/** Ordinary tables (partitions included, their parents not, so no row is counted twice). */
const TABLES_SQL = `
  select n.nspname as schema, c.relname as name
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.relkind = 'r' and c.relpersistence <> 't'
     and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
   order by 1, 2`;

export async function countRows(client: pg.Client): Promise<TableCount[]> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(TABLES_SQL);
  const counts: TableCount[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ count: string }>(`select count(*) as count from ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`);
    counts.push({ ...table, rows: Number(rows[0]!.count) });
  }
  return counts;
}

export interface RunningDump {
  /** pg_dump's custom-format output. */
  output: Readable;
  /** Every table's rows, counted in the snapshot being dumped. */
  tables: Promise<TableCount[]>;
  /** Extra facts read in the same snapshot. */
  extra: Promise<Record<string, unknown>>;
  serverVersion: Promise<string>;
  /** Resolves once pg_dump exited 0 and the snapshot is released; rejects with its error otherwise. */
  finished: Promise<void>;
}

/**
 * pg_dump in a snapshot of our own: a REPEATABLE READ transaction on a direct connection
 * (a snapshot cannot be exported through PgBouncer) exports it, pg_dump --snapshot dumps
 * exactly it, and the rows are counted in it while pg_dump runs. The transaction stays open
 * until pg_dump has finished.
 */
export async function startDump(
  tools: PostgresTools,
  adminUrl: string,
  database: string,
  readExtra: (client: pg.Client) => Promise<Record<string, unknown>> = async () => ({}),
): Promise<RunningDump> {
  const url = withDatabase(adminUrl, database);
  const client = new pg.Client({ connectionString: url, application_name: 'launchdb-backup' });
  await client.connect();
  let snapshot: string;
  try {
    await client.query('begin isolation level repeatable read, read only');
    snapshot = (await client.query<{ id: string }>('select pg_catalog.pg_export_snapshot() as id')).rows[0]!.id;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  const child = spawn(tools.pgDump, ['--format=custom', `--snapshot=${snapshot}`, '--no-password', '--quote-all-identifiers'], {
    env: libpqEnvironment(url),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child, 'pg_dump');
  const serverVersion = client.query<{ v: string }>("select current_setting('server_version') as v").then(({ rows }) => rows[0]!.v);
  const tables = serverVersion.then(() => countRows(client));
  const extra = tables.then(() => readExtra(client));
  const finished = (async () => {
    try {
      await exited;
      await Promise.all([tables, extra]);
      await client.query('commit');
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  // each is awaited by the caller or through `finished`: none may be an unhandled rejection
  for (const promise of [tables, extra, serverVersion, finished]) promise.catch(() => undefined);
  return { output: child.stdout!, tables, extra, serverVersion, finished };
}

export interface RestoreOptions {
  /** Superuser URL; the database below must exist (empty). */
  adminUrl: string;
  database: string;
  /** Leave ownership and grants out (a scratch database only counted for verify). */
  skipOwnership?: boolean;
  /** Another project's roles in the dump are rewritten to these (a restore --as-new). */
  renameRoles?: { from: ProjectNames; to: ProjectNames } | undefined;
}

/**
 * Feeds a custom-format dump (as it streams in) to pg_restore, which stops at the first error.
 * With roles to rename, pg_restore writes SQL that is rewritten on its way to psql; COPY data is
 * passed through untouched.
 */
export async function restoreDump(tools: PostgresTools, dump: Readable, options: RestoreOptions): Promise<void> {
  const environment = libpqEnvironment(withDatabase(options.adminUrl, options.database));
  if (!options.renameRoles) {
    const args = ['--exit-on-error', '--no-password', `--dbname=${options.database}`];
    if (options.skipOwnership) args.push('--no-owner', '--no-privileges');
    const child = spawn(tools.pgRestore, args, { env: environment, stdio: ['pipe', 'ignore', 'pipe'] });
    const exited = exitOf(child, 'pg_restore');
    await Promise.all([feed(dump, child), exited]);
    return;
  }
  const restore = spawn(tools.pgRestore, ['--file=-'], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
  const psql = spawn(tools.psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--no-password', '-d', options.database], {
    env: environment,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const restoreExited = exitOf(restore, 'pg_restore');
  const psqlExited = exitOf(psql, 'psql');
  try {
    await Promise.all([
      feed(dump, restore),
      pipeline(restore.stdout!, new RoleRenamer(options.renameRoles.from, options.renameRoles.to), psql.stdin!),
      restoreExited,
      psqlExited,
    ]);
  } catch (error) {
    restore.kill('SIGKILL');
    psql.kill('SIGKILL');
    throw error;
  }
}

/** An empty database to restore into, created from template0 as pg_dump expects. */
export async function createEmptyDatabase(adminUrl: string, database: string, owner?: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`drop database if exists ${quoteIdent(database)} with (force)`);
    await admin.query(`create database ${quoteIdent(database)} template template0${owner ? ` owner ${quoteIdent(owner)}` : ''}`);
  });
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, (admin) => admin.query(`drop database if exists ${quoteIdent(database)} with (force)`));
}

export function compareCounts(backupId: string, expected: TableCount[], found: TableCount[]): void {
  const byName = new Map(found.map((table) => [`${table.schema}.${table.name}`, table.rows]));
  for (const table of expected) {
    const key = `${table.schema}.${table.name}`;
    const rows = byName.get(key);
    if (rows !== table.rows) throw BackupErrors.rowCountMismatch(backupId, key, table.rows, rows ?? 0);
  }
}

/**
 * Rewrites `proj_<old>_owner` / `_authenticator` in a pg_restore SQL script, outside COPY data
 * (which is rows, passed through as they are).
 */
export class RoleRenamer extends Transform {
  readonly #pattern: RegExp;
  readonly #replacements: Map<string, string>;
  #pending = '';
  #inCopy = false;

  constructor(from: ProjectNames, to: ProjectNames) {
    super();
    this.#replacements = new Map([
      [from.owner, to.owner],
      [from.authenticator, to.authenticator],
    ]);
    this.#pattern = new RegExp(`\\b(${escape(from.owner)}|${escape(from.authenticator)})\\b`, 'g');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#pending + chunk.toString('utf8');
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      this.#pending = text;
      callback();
      return;
    }
    this.#pending = text.slice(lastNewline + 1);
    callback(null, this.#rewrite(text.slice(0, lastNewline + 1)));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.#rewrite(this.#pending));
  }

  #rewrite(lines: string): string {
    // fast path: inside a long COPY block without its end, nothing to look at
    if (this.#inCopy && !lines.includes('\n\\.\n') && !lines.startsWith('\\.\n')) return lines;
    const out: string[] = [];
    for (const line of lines.split(/(?<=\n)/)) {
      if (this.#inCopy) {
        if (line === '\\.\n' || line === '\\.') this.#inCopy = false;
        out.push(line);
        continue;
      }
      if (/^COPY .* FROM stdin;\n?$/.test(line)) this.#inCopy = true;
      out.push(line.replace(this.#pattern, (name) => this.#replacements.get(name) ?? name));
    }
    return out.join('');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function feed(source: Readable, child: ChildProcess): Promise<void> {
  try {
    await pipeline(source, child.stdin!);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Resolves when the process exits 0; rejects with the last lines it wrote to stderr otherwise. */
export function exitOf(child: ChildProcess, tool: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(BackupErrors.toolFailed(tool, error.message)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const lines = stderr.trim().split('\n').filter((line) => !line.startsWith('pg_restore: warning'));
        reject(BackupErrors.toolFailed(tool, lines.slice(-3).join(' / ') || (signal ? `killed by ${signal}` : `exit code ${code}`)));
      }
    });
  });
}
