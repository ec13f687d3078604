import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCapturesByKind } from './sql/claim-capture.ts';
import { completeCaptures } from './sql/finish-capture.ts';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from './testing/haven-platform.ts';
import { until } from './testing/until.ts';

/**
 * Notes are claimed, read and written in batches with room of their own (WORKER_TEXT_CONCURRENCY):
 * they do not wait behind photos and voice notes, each is matched against its own writer's
 * household, and a batch's write is fenced row by row as a single job's is.
 */
describe('notes in batches', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let owner: string;
  let neighbour: string;
  let transcriber: Server;
  /** Transcription requests held until the test lets them go. */
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    platform = await startHavenPlatform();
    haven = await platform.project();
    owner = await haven.user();
    neighbour = await haven.user();
    const house = (await haven.as<{ id: string }>(owner, `insert into properties (name) values ('House') returning id`))[0]!.id;
    await haven.as(owner, `select add_asset_from_template($1, 'furnace')`, [house]);
    const cottage = (await haven.as<{ id: string }>(neighbour, `insert into properties (name) values ('Cottage') returning id`))[0]!.id;
    await haven.as(neighbour, `select add_asset_from_template($1, 'gutters')`, [cottage]);
    transcriber = createServer((request, response) => {
      request.resume();
      request.on('end', () => held.push(response));
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => transcriber.once('listening', resolve));
    const pooler = await platform.pgbouncer(haven);
    // one photo-or-voice job at a time: the voice note below takes all the room there is
    const worker = await platform.worker({ WORKER_CONCURRENCY: 1, WORKER_TRANSCRIBE_URL: `http://127.0.0.1:${(transcriber.address() as AddressInfo).port}` }, pooler);
    worker.projectActive(haven.id);
  }, 60_000);
  afterAll(async () => {
    for (const response of held) response.destroy();
    transcriber?.close();
    await platform?.close();
  });

  it('answers a burst of notes while the only photo-and-voice slot waits on the transcriber, each note once, against its own writer\'s household', async () => {
    await haven.upload(owner, `${owner}/voice.webm`, Buffer.from('audio'), 'audio/webm');
    const voice = (await haven.as<{ id: string }>(owner, `insert into captures (kind, storage_path) values ('voice', $1) returning id`, [`${owner}/voice.webm`]))[0]!.id;
    await until(async () => (held.length > 0 ? true : undefined), 'the voice note at the transcriber');

    await haven.as(owner, `insert into captures (kind, body) select 'text', case when i % 2 = 0 then 'replaced furnace filter' else 'cleared the gutters' end from generate_series(1, 20) i`);
    await haven.as(neighbour, `insert into captures (kind, body) select 'text', 'cleared the gutters' from generate_series(1, 20)`);
    const notes = await until(async () => {
      const { rows } = await haven.admin.query<{ owner_id: string; body: string; status: string; attempts: number; suggestion: { kind: string; asset_name?: string; template_key?: string } | null }>(
        `select owner_id, body, status, attempts, result -> 'suggestion' as suggestion from captures where kind = 'text'`,
      );
      return rows.every((row) => row.status === 'processed') ? rows : undefined;
    }, 'the notes');
    expect((await haven.admin.query(`select status from captures where id = $1`, [voice])).rows[0]).toEqual({ status: 'processing' });

    expect(notes).toHaveLength(40);
    expect(notes.every((note) => note.attempts === 1)).toBe(true);
    const said = (writer: string, body: string) => notes.filter((note) => note.owner_id === writer && note.body === body).map((note) => note.suggestion);
    expect(said(owner, 'replaced furnace filter')).toEqual(Array(10).fill(expect.objectContaining({ kind: 'complete_task', asset_name: 'Furnace' })));
    // the owner has no gutters (the neighbour's are not theirs): the catalogue's
    expect(said(owner, 'cleared the gutters')).toEqual(Array(10).fill(expect.objectContaining({ kind: 'add_asset', template_key: 'gutters' })));
    expect(said(neighbour, 'cleared the gutters')).toEqual(Array(20).fill(expect.objectContaining({ kind: 'complete_task' })));

    held.shift()!.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"furnace is humming"}');
    await until(async () => ((await haven.admin.query(`select status from captures where id = $1`, [voice])).rows[0]!.status === 'processed' ? true : undefined), 'the voice note');
  });

  it('claims notes and other jobs each up to their own room in one statement, and writes a batch only where each row\'s own claim still holds', async () => {
    const admin = await haven.admin.connect();
    try {
      // uncommitted: the running worker never sees these rows
      await admin.query('begin');
      await admin.query(`insert into captures (owner_id, kind, body) select $1, 'text', 'note ' || i from generate_series(1, 3) i`, [owner]);
      await admin.query(`insert into captures (owner_id, kind, storage_path) values ($1::uuid, 'photo', $1::text || '/plate.jpg')`, [owner]);

      const notes = await claimCapturesByKind(admin, 'first', 60, 5, { text: 2, files: 0 });
      expect(notes.map((capture) => capture.kind)).toEqual(['text', 'text']);
      const rest = await claimCapturesByKind(admin, 'second', 60, 5, { text: 5, files: 5 });
      expect(rest.map((capture) => capture.kind).sort()).toEqual(['photo', 'text']);

      // the first claim's lease on one note lapses and another worker takes it
      await admin.query(`update captures set lease_until = now() - interval '1 second' where id = $1`, [notes[0]!.id]);
      expect(await claimCapturesByKind(admin, 'second', 60, 5, { text: 5, files: 0 })).toEqual([expect.objectContaining({ id: notes[0]!.id, attempts: 2 })]);

      const written = await completeCaptures(admin, 'first', notes.map((note) => ({ id: note.id, attempts: note.attempts, result: { by: 'first' } })));
      expect([...written]).toEqual([notes[1]!.id]);
      const { rows } = await admin.query<{ id: string; status: string; result: unknown }>(`select id, status, result from captures where id = any($1)`, [notes.map((note) => note.id)]);
      expect(rows.find((row) => row.id === notes[0]!.id)).toMatchObject({ status: 'processing', result: null });
      expect(rows.find((row) => row.id === notes[1]!.id)).toMatchObject({ status: 'processed', result: { by: 'first' } });
      await admin.query('rollback');
    } finally {
      admin.release();
    }
  });
});
