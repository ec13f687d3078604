import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import { readProjectAuthSettings, readProjectSmtpPassword } from '@launchdb/common/auth-settings';
import type { Logger } from '@launchdb/common/logger';
import type { SecretBox } from '@launchdb/common/secrets';
import type { ProjectConnections } from '../connections.ts';

/** An SMTP server as the auth service's settings describe one. */
export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  pass?: string | undefined;
  senderEmail: string;
  senderName?: string | undefined;
}

interface Digest {
  user_id: string;
  email: string;
  digest_day: string;
  time_zone: string;
  reminders: Array<{ id: string; task_id: string; title: string; due_on: string; property: string; asset: string | null }>;
}

/** What one project's due sweep did: per member, the digest sent or why not. */
export interface DueSweepReport {
  project: string;
  sent: Array<{ user_id: string; reminders: number; message_id: string }>;
  skipped: Array<{ user_id: string; reminders: number; reason: string }>;
  failed: Array<{ user_id: string; reminders: number; error: string }>;
}

/** Claims last this long: a worker killed mid-send leaves them to the next sweep after it. */
const CLAIM_LEASE_SECONDS = 300;

/**
 * The due sweep of one project: claim (claim_due_reminders), send one digest per member through
 * the project's SMTP settings — the same the auth service uses — then mark each reminder sent.
 * A crash after the server accepted a mail and before the mark resends that digest once, with the
 * same Message-ID (derived from project, member and day), which mail clients fold.
 */
export class DueReminders {
  readonly #connections: ProjectConnections;
  readonly #platformDb: pg.Pool;
  readonly #secrets: SecretBox;
  readonly #workerId: string;
  readonly #defaultSmtp: SmtpServer | null;
  readonly #logger: Logger;
  /** One sweep of a project at a time in this worker: two would both send what this worker claimed. */
  readonly #sweeping = new Map<string, Promise<DueSweepReport>>();

  constructor(options: { connections: ProjectConnections; platformDb: pg.Pool; secrets: SecretBox; workerId: string; defaultSmtp?: SmtpServer | null; logger: Logger }) {
    this.#connections = options.connections;
    this.#platformDb = options.platformDb;
    this.#secrets = options.secrets;
    this.#workerId = options.workerId;
    this.#defaultSmtp = options.defaultSmtp ?? null;
    this.#logger = options.logger;
  }

  sweep(projectId: string): Promise<DueSweepReport> {
    const previous = this.#sweeping.get(projectId);
    const next = (previous ?? Promise.resolve()).catch(() => undefined).then(() => this.#sweep(projectId));
    this.#sweeping.set(projectId, next);
    void next.finally(() => {
      if (this.#sweeping.get(projectId) === next) this.#sweeping.delete(projectId);
    }).catch(() => undefined);
    return next;
  }

  /**
   * When the project's next reminder can fall due if nothing is written in its database meanwhile
   * (next_reminder_at; a lower bound), as epoch milliseconds; null when never; undefined when its
   * template cannot tell (a Haven from before 0012, until the boot's upgrade).
   */
  async nextDueAt(projectId: string): Promise<number | null | undefined> {
    try {
      const { rows } = await this.#connections.asService(projectId, (sql) => sql.query<{ at: Date | null }>('select public.next_reminder_at() as at'));
      return rows[0]?.at?.getTime() ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === '42883') return undefined;
      throw error;
    }
  }

  async #sweep(projectId: string): Promise<DueSweepReport> {
    const report: DueSweepReport = { project: projectId, sent: [], skipped: [], failed: [] };
    const digests = await this.#connections.asService(projectId, async (sql) =>
      (await sql.query<Digest>(`select user_id, email, digest_day::text as digest_day, time_zone, reminders from public.claim_due_reminders($1, $2)`, [this.#workerId, CLAIM_LEASE_SECONDS])).rows,
    );
    if (digests.length === 0) return report;
    const smtp = await this.#smtpOf(projectId);
    const transport = smtp
      ? nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
          ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
          logger: false,
        })
      : undefined;
    try {
      for (const digest of digests) {
        const ids = digest.reminders.map((reminder) => reminder.id);
        if (!transport || !smtp) {
          await this.#finish(projectId, ids, 'skipped', 'no smtp');
          report.skipped.push({ user_id: digest.user_id, reminders: ids.length, reason: 'no smtp' });
          continue;
        }
        const messageId = digestMessageId(projectId, digest.user_id, digest.digest_day);
        try {
          await transport.sendMail({
            from: smtp.senderName ? { name: smtp.senderName, address: smtp.senderEmail } : smtp.senderEmail,
            to: digest.email,
            messageId,
            subject: digest.reminders.length === 1 ? `Due: ${digest.reminders[0]!.title}` : `${digest.reminders.length} home tasks are due`,
            text: digestText(digest),
          });
        } catch (error) {
          // the claims lapse and the next sweep tries again
          report.failed.push({ user_id: digest.user_id, reminders: ids.length, error: (error as Error).message });
          this.#logger.warn({ project: projectId, user: digest.user_id, err: { message: (error as Error).message } }, 'reminder digest not sent');
          continue;
        }
        await this.#finish(projectId, ids, 'sent', null);
        report.sent.push({ user_id: digest.user_id, reminders: ids.length, message_id: messageId });
      }
    } finally {
      transport?.close();
    }
    this.#logger.info({ project: projectId, sent: report.sent.length, skipped: report.skipped.length, failed: report.failed.length }, 'due sweep');
    return report;
  }

  async #finish(projectId: string, ids: string[], status: 'sent' | 'skipped', detail: string | null): Promise<void> {
    await this.#connections.asService(projectId, (sql) =>
      sql.query(
        `update public.task_reminders set status = $3, detail = $4, sent_at = case when $3 = 'sent' then now() end, lease_until = null
          where id = any($1::uuid[]) and claimed_by = $2 and status = 'claimed'`,
        [ids, this.#workerId, status, detail],
      ),
    );
  }

  /** The project's own SMTP settings (with their password), else the platform's default, else none. */
  async #smtpOf(projectId: string): Promise<SmtpServer | null> {
    const stored = await readProjectAuthSettings(this.#platformDb, projectId);
    const own = stored.settings.smtp;
    if (own === undefined) return this.#defaultSmtp;
    if (own === null) return null;
    const pass = stored.smtpPasswordSet ? await readProjectSmtpPassword(this.#platformDb, this.#secrets, projectId) : undefined;
    return { host: own.host, port: own.port, secure: own.secure ?? own.port === 465, user: own.user, pass, senderEmail: own.sender_email, senderName: own.sender_name };
  }
}

/** The same member and day always give the same Message-ID: a digest resent after a crash folds into the first. */
export function digestMessageId(projectId: string, userId: string, day: string): string {
  return `<digest-${createHash('sha256').update(`${projectId}:${userId}:${day}`).digest('hex').slice(0, 32)}@reminders.launchdb>`;
}

function digestText(digest: Digest): string {
  const lines = digest.reminders.map((reminder) => {
    const late = reminder.due_on < digest.digest_day ? ' (overdue)' : '';
    const where = [reminder.asset, reminder.property].filter(Boolean).join(', ');
    return `- ${reminder.title}${where ? ` — ${where}` : ''}: due ${reminder.due_on}${late}`;
  });
  return `Due in your home today:\n\n${lines.join('\n')}\n\nMark them done in Haven, or change when these mails come in Settings.\n`;
}
