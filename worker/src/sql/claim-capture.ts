import type pg from 'pg';

/** A claimed capture: the row as the job needs it, and the fencing token of this claim. */
export interface ClaimedCapture {
  id: string;
  owner_id: string;
  property_id: string | null;
  kind: 'photo' | 'voice' | 'text';
  storage_path: string | null;
  body: string | null;
  /** This claim's attempt number: the result is written only while it is still the row's. */
  attempts: number;
  /** 'process': read it (OCR, transcript, text); 'copy': accept_capture's document needs the photo's bytes. */
  job: 'process' | 'copy';
  document_id: string | null;
}

/**
 * Claims the oldest captures that are due — pending and past its backoff, or processing under a
 * lease that lapsed (its worker died) — or an accepted photo whose document still lacks its
 * bytes. SKIP LOCKED: concurrent claimers each get another row, never wait on each other.
 */
const CLAIM = `
with candidate as (
  select c.id
    from public.captures c
   where (((c.status = 'pending' and c.next_attempt_at <= now()) or (c.status = 'processing' and c.lease_until < now()))
          and c.attempts < $3)
      or (c.status = 'processed' and c.document_id is not null and c.document_copied_at is null
          and (c.lease_until is null or c.lease_until < now()) and c.next_attempt_at <= now() and c.attempts < 2 * $3)
   order by c.next_attempt_at, c.created_at
   limit $4
   for update skip locked
)
update public.captures c
   set status = case when c.status = 'processed' then 'processed' else 'processing' end,
       attempts = c.attempts + 1,
       locked_by = $1,
       lease_until = now() + make_interval(secs => $2)
  from candidate
 where c.id = candidate.id
returning c.id, c.owner_id, c.property_id, c.kind, c.storage_path, c.body, c.attempts, c.document_id,
          case when c.status = 'processed' then 'copy' else 'process' end as job`;

/** Claims up to `limit` captures at once (the room the worker has): one statement, however many. */
export async function claimCaptures(sql: pg.ClientBase, worker: string, leaseSeconds: number, maxAttempts: number, limit: number): Promise<ClaimedCapture[]> {
  const { rows } = await sql.query<ClaimedCapture>(CLAIM, [worker, leaseSeconds, maxAttempts, limit]);
  return rows;
}

export async function claimCapture(sql: pg.ClientBase, worker: string, leaseSeconds: number, maxAttempts: number): Promise<ClaimedCapture | undefined> {
  return (await claimCaptures(sql, worker, leaseSeconds, maxAttempts, 1))[0];
}
