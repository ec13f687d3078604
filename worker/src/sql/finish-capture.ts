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
 * A batch of results in one statement: each row is written only where its own claim still holds
 * (the same fence, per row), so a batch whose lease lapsed under part of it writes the rest.
 */
const COMPLETE_MANY = `
update public.captures c
   set status = 'processed', result = r.result, error = null, processed_at = now(), locked_by = null, lease_until = null
  from jsonb_to_recordset($2::jsonb) as r(id uuid, attempts integer, result jsonb)
 where c.id = r.id and c.locked_by = $1 and c.attempts = r.attempts and c.status = 'processing'
returning c.id`;

/** Writes each result whose claim still holds; answers the ids written (the others' claims were lost). */
export async function completeCaptures(
  sql: pg.ClientBase,
  worker: string,
  results: ReadonlyArray<{ id: string; attempts: number; result: unknown }>,
): Promise<Set<string>> {
  if (results.length === 0) return new Set();
  const { rows } = await sql.query<{ id: string }>(COMPLETE_MANY, [worker, JSON.stringify(results)]);
  return new Set(rows.map((row) => row.id));
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
