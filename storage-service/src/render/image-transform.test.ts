import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageTransformError, parseTransformOptions, transformImage, type TransformOptions } from './image-transform.ts';

describe('parseTransformOptions', () => {
  it('defaults to cover at quality 80 with no size and the negotiated format', () => {
    expect(parseTransformOptions({})).toEqual({ ok: true, options: { resize: 'cover', quality: 80 } });
  });

  it('reads the query strings Supabase accepts', () => {
    expect(parseTransformOptions({ width: '300', height: '200', resize: 'contain', quality: '55', format: 'origin' })).toEqual({
      ok: true,
      options: { width: 300, height: 200, resize: 'contain', quality: 55, format: 'origin' },
    });
    expect(parseTransformOptions({ format: 'avif' })).toMatchObject({ ok: true, options: { format: 'avif' } });
    expect(parseTransformOptions({ format: 'webp', resize: 'fill' })).toMatchObject({ ok: true, options: { format: 'webp', resize: 'fill' } });
  });

  it('treats 0 as no size and clamps sizes above 2500, as Supabase does', () => {
    expect(parseTransformOptions({ width: '0', height: '9000' })).toEqual({ ok: true, options: { height: 2500, resize: 'cover', quality: 80 } });
  });

  it.each([
    [{ width: 'wide' }, 'querystring/width must be integer'],
    [{ width: '10.5' }, 'querystring/width must be integer'],
    [{ height: '-1' }, 'querystring/height must be >= 0'],
    [{ quality: '19' }, 'querystring/quality must be >= 20'],
    [{ quality: '101' }, 'querystring/quality must be <= 100'],
    [{ resize: 'stretch' }, 'querystring/resize must be equal to one of the allowed values'],
    [{ format: 'png' }, 'querystring/format must be equal to one of the allowed values'],
  ])('refuses %j with Supabase\'s wording', (query, reason) => {
    expect(parseTransformOptions(query)).toEqual({ ok: false, reason });
  });
});

describe('transformImage', () => {
  let landscapePng: Buffer;
  let landscapeJpeg: Buffer;

  beforeAll(async () => {
    // 400 × 200: a left red half and a right blue half, so crops and stretches can be told apart.
    const half = { width: 200, height: 200, channels: 3 as const };
    landscapePng = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#ff0000' } })
      .composite([{ input: await sharp({ create: { ...half, background: '#0000ff' } }).png().toBuffer(), left: 200, top: 0 }])
      .png()
      .toBuffer();
    landscapeJpeg = await sharp(landscapePng).jpeg({ quality: 95 }).toBuffer();
  });

  async function run(source: Buffer, options: Partial<TransformOptions>, accept?: string) {
    const transformed = transformImage(inChunks(source), { resize: 'cover', quality: 80, ...options }, { accept });
    const [bytes, contentType] = await Promise.all([buffer(transformed.output), transformed.contentType()]);
    return { bytes, contentType, metadata: await sharp(bytes).metadata() };
  }

  it('cover fills the box and crops the overflow', async () => {
    const { metadata, contentType, bytes } = await run(landscapePng, { width: 100, height: 100, format: 'origin' });
    expect(contentType).toBe('image/png');
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', 100, 100]);
    // Centre crop of a red|blue image keeps both colours.
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(pixel(data, 100, 5, 50)).toEqual([255, 0, 0]);
    expect(pixel(data, 100, 95, 50)).toEqual([0, 0, 255]);
  });

  it('contain fits inside the box, keeping the aspect ratio', async () => {
    const { metadata } = await run(landscapePng, { width: 100, height: 100, resize: 'contain', format: 'origin' });
    expect([metadata.width, metadata.height]).toEqual([100, 50]);
  });

  it('fill stretches to the box', async () => {
    const { metadata } = await run(landscapePng, { width: 100, height: 100, resize: 'fill', format: 'origin' });
    expect([metadata.width, metadata.height]).toEqual([100, 100]);
  });

  it('derives the missing dimension from the aspect ratio', async () => {
    const { metadata } = await run(landscapeJpeg, { width: 200, format: 'origin' });
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 200, 100]);
  });

  it('never enlarges (as imgproxy under Supabase)', async () => {
    const { metadata } = await run(landscapePng, { width: 2000, format: 'origin' });
    expect([metadata.width, metadata.height]).toEqual([400, 200]);
  });

  it('applies the quality to lossy formats', async () => {
    const low = await run(landscapeJpeg, { quality: 20, format: 'origin' });
    const high = await run(landscapeJpeg, { quality: 100, format: 'origin' });
    expect(low.bytes.length).toBeLessThan(high.bytes.length);
  });

  it('converts to avif or webp when asked', async () => {
    const avif = await run(landscapeJpeg, { width: 50, format: 'avif' });
    expect(avif.contentType).toBe('image/avif');
    expect(avif.metadata).toMatchObject({ format: 'heif', compression: 'av1', width: 50 });
    const webp = await run(landscapeJpeg, { width: 50, format: 'webp' });
    expect([webp.contentType, webp.metadata.format]).toEqual(['image/webp', 'webp']);
  });

  it('picks webp for clients that accept it when no format is given, and keeps the source format otherwise', async () => {
    const browser = await run(landscapeJpeg, { width: 50 }, 'image/avif,image/webp,image/apng,*/*;q=0.8');
    expect([browser.contentType, browser.metadata.format]).toEqual(['image/webp', 'webp']);
    const fetchClient = await run(landscapeJpeg, { width: 50 }, '*/*');
    expect([fetchClient.contentType, fetchClient.metadata.format]).toEqual(['image/jpeg', 'jpeg']);
    const origin = await run(landscapeJpeg, { width: 50, format: 'origin' }, 'image/webp');
    expect(origin.contentType).toBe('image/jpeg');
  });

  it('follows the EXIF orientation before resizing', async () => {
    // Stored 400 × 200 with "rotate 90°": the viewer sees 200 × 400.
    const rotated = await sharp(landscapePng).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { metadata } = await run(rotated, { width: 100, format: 'origin' });
    expect([metadata.width, metadata.height]).toEqual([100, 200]);
  });

  it('fails with invalid_image for bytes that are not an image, on the stream and the content type', async () => {
    const transformed = transformImage(inChunks(Buffer.from('%PDF-1.7 not an image at all')), { resize: 'cover', quality: 80 });
    await expect(transformed.contentType()).rejects.toMatchObject({ name: 'ImageTransformError', kind: 'invalid_image' });
    await expect(buffer(transformed.output)).rejects.toBeInstanceOf(ImageTransformError);
  });

  it('fails with too_large past the byte limit without reading the rest', async () => {
    let offered = 0;
    const endless = new Readable({
      read() {
        offered += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const transformed = transformImage(endless, { resize: 'cover', quality: 80, format: 'webp' }, { maxInputBytes: 1024 * 1024 });
    await expect(buffer(transformed.output)).rejects.toMatchObject({ kind: 'too_large' });
    expect(offered).toBeLessThan(4 * 1024 * 1024);
  });

  it('stops reading the source when the consumer goes away', async () => {
    const source = inChunks(landscapeJpeg);
    const transformed = transformImage(source, { resize: 'cover', quality: 80, format: 'webp' });
    transformed.output.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('fails with too_large past the pixel limit', async () => {
    const transformed = transformImage(inChunks(landscapePng), { resize: 'cover', quality: 80, format: 'origin' }, { maxInputPixels: 1000 });
    await expect(transformed.contentType()).rejects.toMatchObject({ kind: 'too_large' });
  });
});

function inChunks(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 1000) parts.push(bytes.subarray(offset, offset + 1000));
  return Readable.from(parts);
}

function pixel(data: Buffer, width: number, x: number, y: number): number[] {
  const offset = (y * width + x) * 3;
  return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
}
