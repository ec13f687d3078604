import type pg from 'pg';

/**
 * One look at a project: captures whose worker died on every attempt become `failed` (their
 * lease lapsed with no attempt left), and what is claimable now is counted, with when the next
 * backoff ends. The sweep claims nothing itself: the caller drains the project when there is work.
 */
const SWEEP = `
with exhausted as (
  update public.captures c
     set status = 'failed', error = $2, locked_by = null, lease_until = null
   where c.status = 'processing' and c.lease_until < now() and c.attempts >= $1
  returning c.id
)
select
  (select count(*)::int from public.captures c
    where (c.status = 'pending' and c.next_attempt_at <= now())
       or (c.status = 'processing' and c.lease_until < now() and c.attempts < $1)
       or (c.status = 'processed' and c.document_id is not null and c.document_copied_at is null)) as due,
  (select min(c.next_attempt_at) from public.captures c where c.status = 'pending' and c.next_attempt_at > now()) as next_at,
  (select count(*)::int from exhausted) as exhausted,
  (select coalesce(json_object_agg(s.status, s.n), '{}') from (select c.status, count(*)::int as n from public.captures c group by c.status) s) as counts,
  (select extract(epoch from now() - min(c.created_at))::float8 from public.captures c where c.status = 'pending') as oldest_pending_seconds`;

export interface SweepOutcome {
  due: number;
  next_at: Date | null;
  exhausted: number;
  /** Captures per status (the exhausted ones still counted as processing). */
  counts: Record<string, number>;
  oldest_pending_seconds: number | null;
}

export async function sweepCaptures(sql: pg.ClientBase, maxAttempts: number): Promise<SweepOutcome> {
  const { rows } = await sql.query<SweepOutcome>(SWEEP, [maxAttempts, `Reading this capture stopped halfway ${maxAttempts} times: it may be too large or damaged.`]);
  return rows[0]!;
}
