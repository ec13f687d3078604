import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { Objects, type UploadLimits, type UploadRequest } from '../../domain/objects.ts';
import type { StorageContext } from '../../domain/storage-context.ts';
import { StorageErrors } from '../../errors.ts';

/** What storage-js sends when it has no type: its default for raw bodies. */
const DEFAULT_CONTENT_TYPE = 'text/plain;charset=UTF-8';
const DEFAULT_CACHE_CONTROL = 'no-cache';

export interface UploadTarget {
  bucketId: string;
  name: string;
  upsert: boolean;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cacheControlOf(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return DEFAULT_CACHE_CONTROL;
  // storage-js sends the multipart field as seconds ("3600"), the raw header as "max-age=3600"
  return /^\d+$/.test(value.trim()) ? `max-age=${value.trim()}` : value.trim();
}

function parseUserMetadata(json: string | undefined): Record<string, unknown> | null {
  if (json === undefined || json === '') return null;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw StorageErrors.invalidParameter('metadata must be a JSON object');
}

function contentLengthOf(request: FastifyRequest): number | undefined {
  const value = header(request, 'content-length');
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/**
 * An AbortSignal that fires when the client goes away before its whole body arrived, so the
 * backend drops what it was writing.
 */
export function clientGoneSignal(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => {
    if (!request.raw.complete) controller.abort(new Error('the client closed the connection before sending its whole body'));
  });
  return controller.signal;
}

/**
 * Reads an upload as Supabase accepts it — a multipart form (fields `cacheControl`, `metadata`,
 * then the file) or a raw body (Content-Type, Cache-Control, base64 JSON in `x-metadata`) —
 * checks it against the bucket and the caller's policies before reading any byte of the file,
 * then streams it into storage.
 */
export async function receiveUpload(request: FastifyRequest, context: StorageContext, target: UploadTarget): Promise<{ id: string; key: string }> {
  const signal = clientGoneSignal(request);
  if (request.isMultipart()) {
    const limits: UploadLimits = await Objects.uploadLimits(context, target.bucketId);
    let part;
    try {
      // busboy stops at its limit without an error: one byte more than allowed reaches the backend, which refuses it
      part = await request.file({ limits: { fileSize: limits.maxBytes + 1, files: 1, fields: 10, fieldSize: 64 * 1024 } });
    } catch (error) {
      throw StorageErrors.invalidRequest(`the multipart body could not be read: ${(error as Error).message}`);
    }
    if (part === undefined) throw StorageErrors.noContent();
    const field = (name: string): string | undefined => {
      const value = part.fields[name];
      const first = Array.isArray(value) ? value[0] : value;
      return first !== undefined && first.type === 'field' && typeof first.value === 'string' ? first.value : undefined;
    };
    const upload: UploadRequest = {
      ...target,
      body: part.file as Readable,
      contentType: part.mimetype || 'application/octet-stream',
      cacheControl: cacheControlOf(field('cacheControl')),
      userMetadata: parseUserMetadata(field('metadata')),
      signal,
    };
    try {
      const prepared = await Objects.prepareUpload(context, upload, limits);
      return await Objects.upload(context, upload, prepared);
    } catch (error) {
      // the file stream's own limit fires before the backend's: same answer
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) throw StorageErrors.entityTooLarge();
      throw error;
    }
  }
  const xMetadata = header(request, 'x-metadata');
  const upload: UploadRequest = {
    ...target,
    body: request.raw,
    contentType: header(request, 'content-type') ?? DEFAULT_CONTENT_TYPE,
    cacheControl: cacheControlOf(header(request, 'cache-control')),
    contentLength: contentLengthOf(request),
    userMetadata: parseUserMetadata(xMetadata === undefined ? undefined : Buffer.from(xMetadata, 'base64').toString('utf8')),
    signal,
  };
  return Objects.upload(context, upload);
}
