import type { FastifyReply, FastifyRequest } from 'fastify';
import { ObjectNotFoundError } from '../../backends/storage-backend.ts';
import { locationOfRow } from '../../domain/objects.ts';
import { downloadHeaders } from '../../domain/active-content.ts';
import type { StorageContext } from '../../domain/storage-context.ts';
import { StorageErrors } from '../../errors.ts';
import { describeTransformations, ImageTransformError, parseTransformOptions, transformImage } from '../../render/image-transform.ts';
import type { ObjectRow } from '../../sql/rows.ts';

/** Sources larger than this are not decoded (libvips needs the whole source in memory). */
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;

function toStorageError(error: unknown): unknown {
  if (error instanceof ImageTransformError) {
    return error.kind === 'too_large' ? StorageErrors.entityTooLarge('image', `${MAX_SOURCE_BYTES} bytes`) : StorageErrors.invalidRequest(error.message, 422);
  }
  return error;
}

/**
 * Answers with the object's image resized and re-encoded as the query (or a signed URL's
 * grant) asks: width, height, resize, quality, format — Supabase's /render/image. The rendered
 * image (at most 2500 × 2500) is whole before it is sent, so it carries its Content-Length, as
 * Supabase's (imgproxy's) answers do, with the transformations applied in X-Transformations.
 */
export async function sendRenderedImage(
  request: FastifyRequest,
  reply: FastifyReply,
  context: StorageContext,
  row: ObjectRow,
  query: Record<string, unknown>,
): Promise<FastifyReply> {
  const parsed = parseTransformOptions(query);
  if (!parsed.ok) throw StorageErrors.invalidRequest(parsed.reason);
  if ((row.metadata?.size ?? 0) > MAX_SOURCE_BYTES) throw StorageErrors.entityTooLarge('image', `${MAX_SOURCE_BYTES} bytes`);
  let source;
  try {
    source = await context.backend.read(locationOfRow(context, row));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw StorageErrors.noSuchKey();
    throw error;
  }
  const image = transformImage(source.body, parsed.options, { accept: request.headers.accept, maxInputBytes: MAX_SOURCE_BYTES });
  let contentType: string;
  try {
    contentType = await image.contentType();
  } catch (error) {
    image.output.destroy();
    source.body.destroy();
    throw toStorageError(error);
  }
  reply.raw.once('close', () => {
    if (!image.output.destroyed) image.output.destroy();
    if (!source.body.destroyed) source.body.destroy();
  });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of image.output) chunks.push(chunk as Buffer);
  } catch (error) {
    throw toStorageError(error);
  }
  const body = Buffer.concat(chunks);
  const transformations = describeTransformations(parsed.options, query.quality !== undefined && query.quality !== '');
  if (transformations.length > 0) reply.header('x-transformations', transformations.join(','));
  return reply
    .headers(downloadHeaders(contentType))
    .header('content-length', String(body.length))
    .header('cache-control', row.metadata?.cacheControl ?? 'no-cache')
    .header('vary', 'Accept')
    .send(body);
}
