import type pg from 'pg';

/**
 * The jobs waiting in one project: captures pending (backoffs included) and processing, and
 * reminders claimed but not yet sent, each with its oldest one's age. Both scans use the
 * partial indexes on unfinished rows (captures_claimable_idx, task_reminders_claimed_idx).
 */
const QUEUE_DEPTH = `
select
  (select count(*)::int from public.captures c where c.status = 'pending') as captures_pending,
  (select count(*)::int from public.captures c where c.status = 'processing') as captures_processing,
  (select extract(epoch from now() - min(c.created_at))::float8 from public.captures c where c.status in ('pending', 'processing')) as captures_oldest_seconds,
  (select count(*)::int from public.task_reminders r where r.status = 'claimed') as reminders_claimed,
  (select extract(epoch from now() - min(r.created_at))::float8 from public.task_reminders r where r.status = 'claimed') as reminders_oldest_seconds`;

export interface ProjectQueueDepth {
  captures_pending: number;
  captures_processing: number;
  captures_oldest_seconds: number | null;
  reminders_claimed: number;
  reminders_oldest_seconds: number | null;
}

export const EMPTY_QUEUE: ProjectQueueDepth = { captures_pending: 0, captures_processing: 0, captures_oldest_seconds: null, reminders_claimed: 0, reminders_oldest_seconds: null };

export async function queueDepth(sql: pg.ClientBase): Promise<ProjectQueueDepth> {
  const { rows } = await sql.query<ProjectQueueDepth>(QUEUE_DEPTH);
  return rows[0]!;
}
