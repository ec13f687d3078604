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

/** Due: pending and past its backoff, or processing under a lease that lapsed (its worker died). */
const DUE = `((c.status = 'pending' and c.next_attempt_at <= now()) or (c.status = 'processing' and c.lease_until < now())) and c.attempts < $3`;
/** An accepted photo whose document still lacks its bytes (accept_capture files documents for photos only). */
const COPY_DUE = `(c.status = 'processed' and c.document_id is not null and c.document_copied_at is null
          and (c.lease_until is null or c.lease_until < now()) and c.next_attempt_at <= now() and c.attempts < 2 * $3)`;

/** The oldest first. SKIP LOCKED: concurrent claimers each get another row, never wait on each other. */
const candidates = (where: string, limit: string): string => `
  select c.id
    from public.captures c
   where ${where}
   order by c.next_attempt_at, c.created_at
   limit ${limit}
   for update skip locked`;

const TAKE = `
update public.captures c
   set status = case when c.status = 'processed' then 'processed' else 'processing' end,
       attempts = c.attempts + 1,
       locked_by = $1,
       lease_until = now() + make_interval(secs => $2)
  from candidate
 where c.id = candidate.id
returning c.id, c.owner_id, c.property_id, c.kind, c.storage_path, c.body, c.attempts, c.document_id,
          case when c.status = 'processed' then 'copy' else 'process' end as job`;

const CLAIM_ANY = `with candidate as (${candidates(`(${DUE}) or ${COPY_DUE}`, '$4')})${TAKE}`;

/**
 * Notes and the rest in one statement, each up to its own limit: notes are matched in
 * milliseconds and go in batches of their own, photos and voice notes wait on OCR or a
 * transcriber one job each. A limit of 0 reads nothing of that kind.
 */
const CLAIM_BY_KIND = `
with notes as (${candidates(`${DUE} and c.kind = 'text'`, '$4')}),
files as (${candidates(`(${DUE} and c.kind <> 'text') or ${COPY_DUE}`, '$5')}),
candidate as (select id from notes union all select id from files)${TAKE}`;

/** Claims up to `limit` due captures of any kind at once: one statement, however many. */
export async function claimCaptures(sql: pg.ClientBase, worker: string, leaseSeconds: number, maxAttempts: number, limit: number): Promise<ClaimedCapture[]> {
  const { rows } = await sql.query<ClaimedCapture>(CLAIM_ANY, [worker, leaseSeconds, maxAttempts, limit]);
  return rows;
}

/** Claims up to `room.text` notes and `room.files` other jobs (photos, voice notes, copies) in one statement. */
export async function claimCapturesByKind(
  sql: pg.ClientBase,
  worker: string,
  leaseSeconds: number,
  maxAttempts: number,
  room: { text: number; files: number },
): Promise<ClaimedCapture[]> {
  const { rows } = await sql.query<ClaimedCapture>(CLAIM_BY_KIND, [worker, leaseSeconds, maxAttempts, room.text, room.files]);
  return rows;
}

export async function claimCapture(sql: pg.ClientBase, worker: string, leaseSeconds: number, maxAttempts: number): Promise<ClaimedCapture | undefined> {
  return (await claimCaptures(sql, worker, leaseSeconds, maxAttempts, 1))[0];
}
