import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCapture } from './sql/claim-capture.ts';
import { completeCapture } from './sql/finish-capture.ts';
import { cleanPlate, FURNACE_PLATE, photographedPlate, WATER_HEATER_PLATE } from './testing/rating-plates.ts';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from './testing/haven-platform.ts';
import { until } from './testing/until.ts';

interface CaptureRow {
  status: string;
  attempts: number;
  result: Record<string, unknown> | null;
  error: string | null;
}

/**
 * The worker on PostgreSQL behind a real PgBouncer: a capture is claimed from its row, processed
 * once, its result written only under the claim that still holds it, retried with backoff and
 * then failed in words a homeowner reads.
 */
describe('capture worker', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let owner: string;
  let house: string;
  let transcriber: Server;
  let transcriberUrl: string;

  const newCapture = async (text: string, values: unknown[] = []) => (await haven.as<{ id: string }>(owner, text, values))[0]!.id;
  const capture = async (id: string) =>
    (await haven.admin.query<CaptureRow>(`select status, attempts, result, error from captures where id = $1`, [id])).rows[0]!;
  const processed = (id: string, timeoutMs?: number) =>
    until(async () => {
      const row = await capture(id);
      return row.status === 'processed' || row.status === 'failed' ? row : undefined;
    }, `capture ${id}`, timeoutMs);

  beforeAll(async () => {
    platform = await startHavenPlatform();
    haven = await platform.project();
    owner = await haven.user();
    house = (await haven.as<{ id: string }>(owner, `insert into properties (name) values ('House') returning id`))[0]!.id;
    await haven.as(owner, `select add_asset_from_template($1, 'furnace')`, [house]);
    await haven.as(owner, `select add_asset_from_template($1, 'water_heater_tank')`, [house]);
    // an OpenAI-compatible transcription server that is down for the first two calls
    let calls = 0;
    transcriber = createServer((request, response) => {
      calls += 1;
      request.resume();
      request.on('end', () => {
        if (calls <= 2) return void response.writeHead(503).end('busy');
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'Flushed the water heater tank' }));
      });
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => transcriber.once('listening', resolve));
    transcriberUrl = `http://127.0.0.1:${(transcriber.address() as AddressInfo).port}`;
    const pooler = await platform.pgbouncer(haven);
    const worker = await platform.worker({ WORKER_MAX_ATTEMPTS: 3, WORKER_TRANSCRIBE_URL: transcriberUrl }, pooler);
    // as the gateway does on each request: the project gets a LISTEN session
    worker.projectActive(haven.id);
  }, 60_000);
  afterAll(async () => {
    transcriber?.close();
    await platform?.close();
  });

  it('reads a note: "replaced furnace filter" suggests completing the furnace\'s filter task, and accepting it logs the task once', async () => {
    const id = await newCapture(`insert into captures (kind, body, property_id) values ('text', 'Replaced furnace filter', $1) returning id`, [house]);
    const row = await processed(id, 5_000);
    expect(row).toMatchObject({ status: 'processed', attempts: 1, error: null });
    expect(row.result).toMatchObject({ text: 'Replaced furnace filter', suggestion: { kind: 'complete_task', task_title: 'Replace air filter', asset_name: 'Furnace' } });

    const accepted = await haven.as<{ made: { task: { last_done_on: string } } }>(owner, `select accept_capture($1, $2) as made`, [id, house]);
    expect(accepted[0]!.made.task.last_done_on).toBe((await haven.admin.query(`select current_date::text as d`)).rows[0]!.d);
    // accepted twice (a retried request): the same answer, one log
    await haven.as(owner, `select accept_capture($1, $2)`, [id, house]);
    const logs = await haven.admin.query(`select count(*)::int as n from logs where client_request_id = $1`, [id]);
    expect(logs.rows[0]).toEqual({ n: 1 });
  });

  it('suggests an asset from the catalogue for a thing the household does not have yet', async () => {
    const id = await newCapture(`insert into captures (kind, body) values ('text', 'sump pump making noise') returning id`);
    const row = await processed(id);
    expect(row.result).toMatchObject({ suggestion: { kind: 'add_asset', template_key: 'sump_pump', name: 'Sump pump' } });
  });

  it('retries a failing voice note with backoff, then reads it; a note that fails every attempt is failed with a readable error', async () => {
        await haven.upload(owner, `${owner}/voice.webm`, Buffer.from('not really audio'), 'audio/webm');
    const id = await newCapture(`insert into captures (kind, storage_path) values ('voice', $1) returning id`, [`${owner}/voice.webm`]);
    // attempts 1 and 2 meet a busy server (backoff 2 s, then 4 s), the third reads it
    const row = await processed(id, 15_000);
    expect(row).toMatchObject({ status: 'processed', attempts: 3 });
    expect(row.result).toMatchObject({ text: 'Flushed the water heater tank', suggestion: { kind: 'complete_task', asset_name: 'Water heater (tank)' } });

    const missing = await newCapture(`insert into captures (kind, storage_path) values ('photo', $1) returning id`, [`${owner}/never-uploaded.jpg`]);
    expect(await processed(missing)).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/not uploaded/) });
    // asked again from the app: a fresh start, and the same answer
    await haven.as(owner, `update captures set status = 'pending' where id = $1`, [missing]);
    expect(await processed(missing)).toMatchObject({ status: 'failed', attempts: 1 });
  }, 30_000);

  it('reads rating plates, clean or photographed askew in poor light, and accept_capture files the asset with its photo as a document', async () => {
    await haven.upload(owner, `${owner}/plate.png`, await cleanPlate(WATER_HEATER_PLATE.lines), 'image/png');
    await haven.upload(owner, `${owner}/furnace.jpg`, await photographedPlate(FURNACE_PLATE.lines), 'image/jpeg');
    const clean = await newCapture(`insert into captures (kind, storage_path) values ('photo', $1) returning id`, [`${owner}/plate.png`]);
    const photographed = await newCapture(`insert into captures (kind, storage_path) values ('photo', $1) returning id`, [`${owner}/furnace.jpg`]);
    for (const [id, plate, template] of [[clean, WATER_HEATER_PLATE, 'water_heater_tank'], [photographed, FURNACE_PLATE, 'furnace']] as const) {
      const row = await processed(id, 60_000);
      expect(row.status).toBe('processed');
      expect(row.result).toMatchObject({
        brand: plate.brand,
        model: plate.model,
        serial: plate.serial,
        manufactured_on: plate.manufactured_on,
        suggestion: { kind: 'add_asset', template_key: template, brand: plate.brand, model: plate.model, serial: plate.serial },
      });
      expect(row.result!.confidence).toBeGreaterThan(0.5);
    }
    expect((await capture(clean)).result).toMatchObject({ ratings: { volts: '240', hertz: '60', watts: '4500 W', phase: '1' } });

    const [{ made }] = (await haven.as<{ made: { asset: Record<string, unknown>; document: { id: string; storage_path: string } } }>(owner, `select accept_capture($1, $2) as made`, [clean, house])) as [
      { made: { asset: Record<string, unknown>; document: { id: string; storage_path: string } } },
    ];
    expect(made.asset).toMatchObject({ name: 'Water heater (tank)', template_key: 'water_heater_tank', brand: 'Rheem', model: WATER_HEATER_PLATE.model, serial_number: WATER_HEATER_PLATE.serial });
    expect(made.document.storage_path).toBe(`${house}/captures/${clean}.png`);
    // the photo's bytes follow into the documents bucket, where the property's members read them
    const object = await until(async () => {
      const { rows } = await haven.admin.query<{ version: string }>(`select version from storage.objects where bucket_id = 'documents' and name = $1`, [made.document.storage_path]);
      return rows[0];
    }, 'the document\'s object');
    const copied = await platform.backend.read({ projectId: haven.id, bucketId: 'documents', key: made.document.storage_path, version: object.version });
    const bytes: Buffer[] = [];
    for await (const chunk of copied.body) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect((await haven.admin.query(`select document_copied_at is not null as copied from captures where id = $1`, [clean])).rows[0]).toEqual({ copied: true });
  }, 120_000);

  it('writes a result only under the claim that still holds the row: a worker whose lease lapsed and was re-claimed writes nothing', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@${platform.postgres.host}:${platform.postgres.port}/proj_${haven.id}` });
    const admin = await haven.admin.connect();
    try {
      // the worker above must not take this one: it sits in the past of nobody's queue until we claim it
      await admin.query('begin');
      const id = (await admin.query<{ id: string }>(`insert into captures (owner_id, kind, body, next_attempt_at) values ($1, 'text', 'x', now() + interval '1 hour') returning id`, [owner])).rows[0]!.id;
      await admin.query(`update captures set next_attempt_at = now() - interval '1 second' where id = $1`, [id]);
      await admin.query(`update captures set status = 'processing', attempts = 1, locked_by = 'stale', lease_until = now() - interval '1 second' where id = $1`, [id]);
      const claimed = await claimCapture(admin, 'fresh', 60, 5);
      expect(claimed).toMatchObject({ id, attempts: 2, job: 'process' });
      expect(await completeCapture(admin, id, 'stale', 1, { late: true })).toBe(false);
      expect(await completeCapture(admin, id, 'fresh', 2, { on: 'time' })).toBe(true);
      expect((await admin.query(`select status, result from captures where id = $1`, [id])).rows[0]).toEqual({ status: 'processed', result: { on: 'time' } });
      await admin.query('rollback');
    } finally {
      admin.release();
      await client.end().catch(() => undefined);
    }
  });

  it('keeps the worker\'s columns to the worker, and each user\'s notification preferences to that user', async () => {
    const other = await haven.user();
    const id = await newCapture(`insert into captures (kind, body) values ('text', 'hello') returning id`);
    await processed(id);
    await expect(haven.as(owner, `update captures set attempts = 0, result = '{}' where id = $1`, [id])).rejects.toMatchObject({ code: '42501' });
    await expect(haven.as(owner, `insert into captures (kind, body, document_id) values ('text', 'x', gen_random_uuid())`)).rejects.toMatchObject({ code: '42501' });
    await expect(haven.as(owner, `insert into captures (kind, storage_path) values ('photo', $1)`, [`${other}/theirs.jpg`])).rejects.toMatchObject({ code: '23514' });

    await haven.as(owner, `insert into notification_preferences (digest_hour, time_zone) values (6, 'Europe/Paris') on conflict (user_id) do update set digest_hour = excluded.digest_hour, time_zone = excluded.time_zone`);
    await haven.as(owner, `insert into notification_preferences (digest_hour, time_zone) values (8, 'Europe/Paris') on conflict (user_id) do update set digest_hour = excluded.digest_hour`);
    expect(await haven.as(owner, `select user_id, digest_hour, time_zone, email_enabled from notification_preferences`)).toEqual([
      { user_id: owner, digest_hour: 8, time_zone: 'Europe/Paris', email_enabled: true },
    ]);
    expect(await haven.as(other, `select * from notification_preferences`)).toEqual([]);
    await expect(haven.as(other, `insert into notification_preferences (user_id) values ($1)`, [owner])).rejects.toMatchObject({ code: '42501' });
    await expect(haven.as(other, `insert into notification_preferences (time_zone) values ('Mars/Olympus')`)).rejects.toMatchObject({ code: '22023' });
  });
});
