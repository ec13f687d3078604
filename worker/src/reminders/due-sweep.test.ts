import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNames } from '@launchdb/common';
import { writeProjectAuthSettings } from '@launchdb/common/auth-settings';
import { startSmtpInbox, type SmtpInbox } from '@launchdb/testkit/smtp-inbox';
import type { CaptureWorker } from '../capture-worker.ts';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from '../testing/haven-platform.ts';
import { digestMessageId } from './due-sweep.ts';

/**
 * Due-task reminders: one digest per member per day of their own time zone, at or after their
 * hour, through the project's SMTP settings, never twice; without SMTP they are recorded as
 * skipped.
 */
describe('due-task reminders', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let worker: CaptureWorker;
  let inbox: SmtpInbox;

  const email = async (user: string) => (await haven.admin.query<{ email: string }>(`select email from auth.users where id = $1`, [user])).rows[0]!.email;

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    platform = await startHavenPlatform();
    haven = await platform.project();
    worker = await platform.worker();
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await inbox?.close();
  });

  it('mails each member one digest of their due and overdue tasks, honours their preferences, and never twice', async () => {
    await writeProjectAuthSettings(platform.platformDb, platform.secrets, haven.id, {
      settings: { smtp: { host: inbox.host, port: inbox.port, user: 'haven', sender_email: 'reminders@haven.example.com', sender_name: 'Haven' } },
      smtp_password: 'smtp-secret',
    });
    const [owner, quiet, late] = [await haven.user(), await haven.user(), await haven.user()];
    const house = (await haven.as<{ id: string }>(owner, `insert into properties (name) values ('Lake house') returning id`))[0]!.id;
    for (const user of [quiet, late]) await haven.as(owner, `select invite_member($1, $2)`, [house, await email(user)]);
    await haven.as(owner, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'Clean gutters', current_date - 3), ($1, 'Test smoke alarms', current_date), ($1, 'Service boiler', current_date + 10)`, [house]);
    await haven.as(owner, `insert into notification_preferences (digest_hour, time_zone) values (0, 'UTC')`);
    await haven.as(quiet, `insert into notification_preferences (email_enabled) values (false)`);
    // an hour still ahead of them today: not yet
    const { zone } = (await haven.admin.query<{ zone: string }>(`select case when extract(hour from now() at time zone 'UTC') < 23 then 'UTC' else 'Etc/GMT+2' end as zone`)).rows[0]!;
    await haven.as(late, `insert into notification_preferences (digest_hour, time_zone) values (23, $1)`, [zone]);

    const first = await worker.dueSweep(haven.id);
    expect(first).toMatchObject({ sent: [{ user_id: owner, reminders: 2 }], skipped: [], failed: [] });
    const mail = await inbox.waitFor(await email(owner));
    expect(mail.subject).toBe('2 home tasks are due');
    expect(mail.text).toMatch(/Clean gutters — Lake house: due \d{4}-\d{2}-\d{2} \(overdue\)/);
    expect(mail.text).toMatch(/Test smoke alarms/);
    expect(mail.text).not.toMatch(/Service boiler/);
    const today = (await haven.admin.query<{ d: string }>(`select current_date::text as d`)).rows[0]!.d;
    expect(mail.raw).toContain(`Message-ID: ${digestMessageId(haven.id, owner, today)}`);

    // again, and from two sweeps at once: nothing more is sent
    const again = await Promise.all([worker.dueSweep(haven.id), worker.dueSweep(haven.id)]);
    expect(again.map((report) => report!.sent.length)).toEqual([0, 0]);
    expect(inbox.mails.filter((received) => received.to.includes(mail.to[0]!))).toHaveLength(1);
    expect(await haven.admin.query(`select status, count(*)::int as n from task_reminders group by status`).then((r) => r.rows)).toEqual([{ status: 'sent', n: 2 }]);
  });

  it('records reminders as skipped: no smtp when the project has no SMTP server', async () => {
    await writeProjectAuthSettings(platform.platformDb, platform.secrets, haven.id, { settings: { smtp: null }, smtp_password: null });
    const newcomer = await haven.user();
    const home = (await haven.as<{ id: string }>(newcomer, `insert into properties (name) values ('Flat') returning id`))[0]!.id;
    await haven.as(newcomer, `insert into notification_preferences (digest_hour) values (0)`);
    await haven.as(newcomer, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'Descale kettle', current_date)`, [home]);
    const report = await worker.dueSweep(haven.id);
    expect(report).toMatchObject({ sent: [], skipped: [{ user_id: newcomer, reminders: 1, reason: 'no smtp' }] });
    expect((await haven.admin.query(`select status, detail from task_reminders where user_id = $1`, [newcomer])).rows).toEqual([{ status: 'skipped', detail: 'no smtp' }]);
  });

  it('leaves a project alone in the scheduled sweep until a row is written there or its next reminder can fall due', async () => {
    const database = projectNames(haven.id).database;
    const scheduled = await platform.worker({ WORKER_SWEEP_SECONDS: 3600, WORKER_DUE_CRON: '0 0 1 1 *' });
    const writes = async () =>
      (await platform.platformDb.query<{ n: string }>(`select (tup_inserted + tup_updated + tup_deleted)::text as n from pg_stat_database where datname = $1`, [database])).rows[0]!.n;
    // PostgreSQL's statistics trail the writes by about a second
    const settledWrites = async () => {
      let last = await writes();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        const now = await writes();
        if (now === last) return now;
        last = now;
      }
    };
    const dueNow = async () => {
      const client = await haven.admin.connect();
      try {
        await client.query('begin');
        await client.query('set local role service_role');
        const { rows } = await client.query<{ due: boolean | null }>('select public.next_reminder_at() <= now() as due');
        await client.query('commit');
        return rows[0]!.due;
      } finally {
        client.release();
      }
    };

    // nothing is due now (the members' digests today are out or their hour is ahead): one look, then none
    expect(await dueNow()).toBe(false);
    await settledWrites();
    expect(await scheduled.dueSweepAll()).toEqual({ swept: 1, quiet: 0 });
    expect(await scheduled.dueSweepAll()).toEqual({ swept: 0, quiet: 1 });

    // a member with a task due today: a write, so the next scheduled sweep looks, and claims it
    const before = await settledWrites();
    const member = await haven.user();
    const home = (await haven.as<{ id: string }>(member, `insert into properties (name) values ('Cabin') returning id`))[0]!.id;
    await haven.as(member, `insert into notification_preferences (digest_hour) values (0)`);
    await haven.as(member, `insert into maintenance_tasks (property_id, title, next_due_on) values ($1, 'Sweep chimney', current_date)`, [home]);
    await expect.poll(writes, { timeout: 5_000 }).not.toBe(before);
    expect(await dueNow()).toBe(true);
    expect(await scheduled.dueSweepAll()).toEqual({ swept: 1, quiet: 0 });
    expect((await haven.admin.query(`select status, detail from task_reminders where user_id = $1`, [member])).rows).toEqual([{ status: 'skipped', detail: 'no smtp' }]);
    expect(await dueNow()).toBe(false);
  }, 30_000);
});
