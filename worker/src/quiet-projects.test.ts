import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureWorker } from './capture-worker.ts';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from './testing/haven-platform.ts';

/**
 * A thousand idle Haven projects must not cost a thousand connections a minute: the sweep leaves
 * a project alone while it was quiet at its last look and nothing has been written in its
 * database since (pg_stat_database), and takes it up again as soon as something is.
 */
describe('the minute sweep and quiet projects', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let worker: CaptureWorker;

  beforeAll(async () => {
    platform = await startHavenPlatform();
    haven = await platform.project();
    // never marked active: no LISTEN session, only sweeps reach the project
    worker = await platform.worker({ WORKER_SWEEP_SECONDS: 3600 });
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  // PostgreSQL's counters reach pg_stat_database within a second of a backend going idle;
  // each reading is one transaction in the project's database itself
  const commits = async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const { rows } = await haven.admin.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()');
    return Number(rows[0]!.n);
  };

  it('does not visit a quiet project again until a row is written there, then does', async () => {
    await worker.sweep();
    await commits();
    // a sweep that saw the counter before the last statistics arrived looks once more
    await worker.sweep();
    let [previous, last] = [await commits(), await commits()];
    while (last - previous !== 1) [previous, last] = [last, await commits()];
    await worker.sweep();
    expect(await commits()).toBe(last + 1);

    const owner = await haven.user();
    const [capture] = await haven.as<{ id: string }>(owner, `insert into captures (kind, body) values ('text', 'sump pump making noise') returning id`);
    await commits();
    await worker.sweep();
    for (let tries = 0; ; tries += 1) {
      const { rows } = await haven.admin.query<{ status: string }>('select status from captures where id = $1', [capture!.id]);
      if (rows[0]!.status === 'processed') break;
      if (tries > 200) throw new Error(`the capture is still ${rows[0]!.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('sweeps over direct connections of its own, which leave PgBouncer no server connection for the project behind them', async () => {
    const other = await platform.project();
    const bouncer = await platform.pgbouncer(other);
    // claims and results would go through PgBouncer; the sweep at start and this one must not
    const swept = await platform.worker({ WORKER_SWEEP_SECONDS: 3600 }, bouncer);
    await swept.sweep();
    const { rows } = await other.admin.query<{ application_name: string }>(
      `select application_name from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
    );
    const names = rows.map((row) => row.application_name);
    expect(names).not.toContain('launchdb-worker');
    expect(names.every((name) => name === 'launchdb-worker sweep')).toBe(true);
    expect(swept.health().sweep_connections).toBeLessThanOrEqual(4);
  });
});
