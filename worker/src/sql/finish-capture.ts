import type pg from 'pg';

/** Only the claim that still holds the row writes to it (locked_by and attempts are the fence). */
const FENCE = `c.id = $1 and c.locked_by = $2 and c.attempts = $3`;

const COMPLETE = `
update public.captures c
   set status = 'processed', result = $4, error = null, processed_at = now(), locked_by = null, lease_until = null
 where ${FENCE} and c.status = 'processing'`;

/** Writes the result; false when the claim was lost (lease lapsed and another worker took it). */
export async function completeCapture(sql: pg.ClientBase, id: string, worker: string, attempt: number, result: unknown): Promise<boolean> {
  const { rowCount } = await sql.query(COMPLETE, [id, worker, attempt, JSON.stringify(result)]);
  return rowCount === 1;
}

/**
 * A failed attempt: back to pending after a backoff (2^attempts seconds, at most an hour), or
 * `failed` with the error once the attempts are spent. A copy that fails keeps the capture
 * processed and is tried again later.
 */
const FAIL = `
update public.captures c
   set status = case when c.status = 'processed' then 'processed' when c.attempts >= $5 then 'failed' else 'pending' end,
       error = case when c.status = 'processed' then c.error else $4 end,
       next_attempt_at = now() + make_interval(secs => least(power(2, c.attempts), 3600)),
       locked_by = null,
       lease_until = null
 where ${FENCE}
returning c.status, c.next_attempt_at`;

export async function failCapture(
  sql: pg.ClientBase,
  id: string,
  worker: string,
  attempt: number,
  error: string,
  maxAttempts: number,
): Promise<{ status: string; next_attempt_at: Date } | undefined> {
  const { rows } = await sql.query<{ status: string; next_attempt_at: Date }>(FAIL, [id, worker, attempt, error, maxAttempts]);
  return rows[0];
}

const COPIED = `
update public.captures c
   set document_copied_at = now(), locked_by = null, lease_until = null
 where ${FENCE}`;

export async function markDocumentCopied(sql: pg.ClientBase, id: string, worker: string, attempt: number): Promise<boolean> {
  const { rowCount } = await sql.query(COPIED, [id, worker, attempt]);
  return rowCount === 1;
}
