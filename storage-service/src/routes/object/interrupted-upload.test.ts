import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

/** Every file (not folder) below `folder`, as paths relative to it. */
async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1));
}

/** Sends the headers and `sentBytes` of a body announced as `announcedBytes`, then drops the connection. */
async function abandonUpload(url: string, headers: Record<string, string>, prefix: Buffer, sentBytes: number, announcedBytes: number): Promise<void> {
  const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(announcedBytes) } });
  request.on('error', () => undefined);
  request.write(prefix);
  request.write(Buffer.alloc(sentBytes - prefix.length, 7));
  // long enough for the service to have started writing the bytes it got
  await sleep(300);
  request.destroy();
}

describe('an upload whose client goes away (fs backend)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    await bed.client(project).createBucket('captures');
  });
  afterAll(() => bed?.close());

  async function expectNothingStored(name: string): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      if ((await filesBelow(join(bed.fsRoot!, project.id))).length === 0) break;
      await sleep(50);
    }
    expect(await filesBelow(join(bed.fsRoot!, project.id))).toEqual([]);
    expect((await bed.client(project).from('captures').list('voice')).data).toEqual([]);
    const rows = await withClient(project.adminUrl, (client) => client.query('select name from storage.objects where name = $1', [name]));
    expect(rows.rows).toEqual([]);
  }

  it('leaves no object and no row when a raw body stops half-way', async () => {
    await abandonUpload(
      `${bed.storageUrl(project.id)}/object/captures/voice/note-1.webm`,
      { authorization: `Bearer ${project.serviceKey}`, 'content-type': 'audio/webm' },
      Buffer.alloc(0),
      2 * 1024 * 1024,
      8 * 1024 * 1024,
    );
    await expectNothingStored('voice/note-1.webm');
  });

  it('leaves no object and no row when a multipart form stops half-way', async () => {
    const boundary = 'launchdb-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="cacheControl"\r\n\r\n3600\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name=""; filename="note-2.webm"\r\nContent-Type: audio/webm\r\n\r\n`,
    );
    await abandonUpload(
      `${bed.storageUrl(project.id)}/object/captures/voice/note-2.webm`,
      { authorization: `Bearer ${project.serviceKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      head,
      2 * 1024 * 1024,
      8 * 1024 * 1024,
    );
    await expectNothingStored('voice/note-2.webm');
  });

  it('still answers and stores complete uploads afterwards', async () => {
    const storage = bed.client(project).from('captures');
    expect((await storage.upload('voice/note-3.webm', Buffer.alloc(1024, 1), { contentType: 'audio/webm' })).error).toBeNull();
    expect((await storage.list('voice')).data!.map((entry) => entry.name)).toEqual(['note-3.webm']);
  });
});
