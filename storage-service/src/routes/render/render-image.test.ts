import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { StorageClient } from '@supabase/storage-js';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

async function dimensions(response: Response | Blob): Promise<{ width?: number; height?: number; format?: string }> {
  const { width, height, format } = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
  return { width, height, format };
}

describe('image rendering (storage-js, fs backend)', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let storage: StorageClient;

  beforeAll(async () => {
    bed = await startStorageTestbed('fs');
    project = await bed.projects.createProject();
    storage = bed.client(project);
    const photo = await sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 200, g: 80, b: 20 } } }).png().toBuffer();
    await storage.createBucket('captures', { public: true });
    await storage.createBucket('private');
    await storage.from('captures').upload('leak.png', photo, { contentType: 'image/png' });
    await storage.from('private').upload('leak.png', photo, { contentType: 'image/png' });
    await storage.from('private').upload('notes.txt', 'not an image', { contentType: 'text/plain' });
  });
  afterAll(() => bed?.close());

  it('resizes a public image from its public URL, keeping the format with format=origin', async () => {
    const { data } = storage.from('captures').getPublicUrl('leak.png', { transform: { width: 100, height: 100, resize: 'contain', format: 'origin' } });
    expect(data.publicUrl).toContain('/render/image/public/captures/leak.png?');
    const response = await fetch(data.publicUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    // contain fits the image inside the box, keeping its aspect ratio
    expect(await dimensions(response)).toEqual({ width: 100, height: 50, format: 'png' });
  });

  it('renders for the caller with download({transform}) and through a signed URL with the transform signed in', async () => {
    const { data: blob, error } = await storage.from('private').download('leak.png', { transform: { width: 50, format: 'origin' } });
    expect(error).toBeNull();
    expect(await dimensions(blob!)).toMatchObject({ width: 50, height: 25 });

    const { data: signed } = await storage.from('private').createSignedUrl('leak.png', 60, { transform: { width: 40, height: 40, resize: 'cover' } });
    expect(signed!.signedUrl).toContain('/render/image/sign/private/leak.png?token=');
    const response = await fetch(signed!.signedUrl, { headers: { accept: 'image/webp' } });
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await dimensions(response)).toMatchObject({ width: 40, height: 40, format: 'webp' });
    // the width in the query is not the one signed
    const altered = await fetch(`${signed!.signedUrl}&width=2000`);
    expect(await dimensions(altered)).toMatchObject({ width: 40 });
  });

  it('answers with the Content-Length of the rendered image (not chunked) and the X-Transformations Supabase lists', async () => {
    const base = `${bed.storageUrl(project.id)}/render/image`;
    const response = await fetch(`${base}/authenticated/private/leak.png?width=100&height=50&resize=contain&quality=60&format=origin`, {
      headers: { authorization: `Bearer ${project.serviceKey}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBeNull();
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(response.headers.get('x-transformations')).toBe('height:50,width:100,resizing_type:fit,quality:60');
    // a browser app reads it only when CORS exposes it
    expect(response.headers.get('access-control-expose-headers')).toContain('x-transformations');

    const rendered = await fetch(`${base}/public/captures/leak.png?width=80&format=avif`);
    expect(rendered.headers.get('x-transformations')).toBe('width:80,resizing_type:fill,format:avif');
    expect(rendered.headers.get('content-length')).toBe(String((await rendered.arrayBuffer()).byteLength));
  });

  it('answers bad options, non-images and private buckets in Storage error shape', async () => {
    const base = `${bed.storageUrl(project.id)}/render/image`;
    const auth = { authorization: `Bearer ${project.serviceKey}` };
    const badQuality = await fetch(`${base}/authenticated/private/leak.png?quality=5`, { headers: auth });
    expect(badQuality.status).toBe(400);
    expect(await badQuality.json()).toMatchObject({ statusCode: '400' });
    const notImage = await fetch(`${base}/authenticated/private/notes.txt?width=10`, { headers: auth });
    expect(notImage.status).toBe(400);
    expect((await notImage.json()).statusCode).toBe('422');
    const privateBucket = await fetch(`${base}/public/private/leak.png?width=10`);
    expect(await privateBucket.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });
});
