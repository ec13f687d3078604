import type { FastifyReply, FastifyRequest } from 'fastify';
import { ObjectNotFoundError } from '../../backends/storage-backend.ts';
import { downloadHeaders } from '../../domain/active-content.ts';
import { parseRange } from '../../domain/byte-range.ts';
import { locationOfRow } from '../../domain/objects.ts';
import type { StorageContext } from '../../domain/storage-context.ts';
import { StorageErrors, renderStorageError } from '../../errors.ts';
import type { ObjectRow } from '../../sql/rows.ts';

export interface SendOptions {
  /** `?download` / `?download=name.ext`: answer as an attachment. */
  download?: string | undefined;
  /** When a signed URL expires (Supabase sends it as Expires). */
  expires?: Date | undefined;
  /** The Content-Type as stored, HTML included (S3's GetObject); still sandboxed. */
  storedContentType?: boolean;
}

function contentDisposition(download: string, objectName: string): string {
  const fileName = download === '' ? objectName.split('/').pop()! : download;
  return `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function notModified(request: FastifyRequest, etag: string | undefined, lastModified: Date | undefined): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (etag === undefined) return false;
    const weak = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => weak(tag) === weak(etag));
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince !== undefined && lastModified !== undefined) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have whole seconds
    return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/**
 * Answers with the object's bytes, streamed from the backend: Range (206, or 416 with
 * `Content-Range: bytes *\/size`), If-None-Match / If-Modified-Since (304), ETag,
 * Last-Modified, Cache-Control, Content-Type, Content-Disposition, and the headers that keep an
 * uploaded page from running as the origin (downloadHeaders). A HEAD gets the headers only.
 */
export async function sendObject(request: FastifyRequest, reply: FastifyReply, context: StorageContext, row: ObjectRow, options: SendOptions = {}): Promise<FastifyReply> {
  const location = locationOfRow(context, row);
  let info = row.metadata === null ? undefined : { size: row.metadata.size, etag: row.metadata.eTag, lastModified: new Date(row.metadata.lastModified), contentType: row.metadata.mimetype, cacheControl: row.metadata.cacheControl };
  if (info === undefined) {
    info = await context.backend.head(location);
    if (info === undefined) throw StorageErrors.noSuchKey();
  }
  reply.header('etag', info.etag).header('last-modified', info.lastModified.toUTCString()).header('cache-control', info.cacheControl);
  if (options.expires !== undefined) reply.header('expires', options.expires.toUTCString());
  if (notModified(request, info.etag, info.lastModified)) return reply.code(304).send();

  reply.headers(downloadHeaders(info.contentType, { asStored: options.storedContentType === true })).header('accept-ranges', 'bytes');
  if (options.download !== undefined) reply.header('content-disposition', contentDisposition(options.download, row.name));
  const range = parseRange(request.headers.range, info.size);
  if (range.kind === 'unsatisfiable') {
    const rendered = renderStorageError(StorageErrors.invalidRange());
    return reply.code(416).header('content-range', `bytes */${info.size}`).headers(rendered.headers).type('application/json').send(rendered.body);
  }
  if (range.kind === 'range') {
    reply.code(206).header('content-range', `bytes ${range.range.start}-${range.range.end}/${info.size}`);
  }
  const length = range.kind === 'range' ? range.range.end - range.range.start + 1 : info.size;
  reply.header('content-length', String(length));
  if (request.method === 'HEAD') return reply.send();

  let read;
  try {
    read = await context.backend.read(location, range.kind === 'range' ? { range: range.range } : {});
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw StorageErrors.noSuchKey();
    throw error;
  }
  // the client going away ends the read: no stream left open on the backend
  reply.raw.once('close', () => {
    if (!read.body.destroyed) read.body.destroy();
  });
  return reply.send(read.body);
}
