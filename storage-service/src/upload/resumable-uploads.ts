import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import type { Logger } from '@launchdb/common';
import { Objects } from '../domain/objects.ts';
import type { Caller } from '../domain/caller.ts';
import type { StorageContext } from '../domain/storage-context.ts';
import { StorageError, StorageErrors, renderStorageError, toStorageError } from '../errors.ts';

export interface ResumableUploadsOptions {
  /** Staging folder: every unfinished upload's bytes and its `.json` description. */
  uploadsDir: string;
  /** Unfinished uploads older than this are dropped from staging. */
  expiresInSeconds: number;
  logger: Logger;
}

/** tus's view of a request: a web Request with the Node request it came from. */
interface TusRequest {
  method: string;
  url: string;
  headers: Headers;
  node?: { req: IncomingMessage };
}

const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

function decodeMetadata(upload: Upload): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(upload.metadata ?? {})) if (typeof value === 'string') metadata[key] = value;
  return metadata;
}

/** An upload id names its project (`<project>-<random>`): a request for another project's upload is refused. */
function projectOfUpload(uploadId: string): string {
  return uploadId.slice(0, uploadId.indexOf('-'));
}

/** The metadata key that records who created an upload; set by the server, never taken from the client. */
const CREATOR_KEY = 'creator';

/** Who an upload belongs to: the token's `sub`, or its role when it has none (anon). */
function creatorOf(caller: Caller): string {
  return caller.owner === null ? `role:${caller.role}` : `sub:${caller.owner}`;
}

/**
 * Resumable uploads over TUS (@tus/server), as Supabase Storage takes them at
 * /upload/resumable: metadata `bucketName`, `objectName`, `contentType`, `cacheControl`,
 * `x-upsert` header. Bytes are staged in `uploadsDir`; on the last PATCH they are streamed
 * into the backend and the row inserted as that request's caller. The caller's right to
 * create the object is checked when the upload is created and again when it completes.
 * An upload belongs to its creator: every later request must come from the same user (or the
 * service key), checked before tus reads or writes anything, so a refused request changes nothing.
 */
export class ResumableUploads {
  readonly #options: ResumableUploadsOptions;
  readonly #store: FileStore;
  readonly #server: Server;
  readonly #contexts = new WeakMap<IncomingMessage, StorageContext>();
  readonly #cleanup: NodeJS.Timeout;

  constructor(options: ResumableUploadsOptions) {
    this.#options = options;
    this.#store = new FileStore({ directory: options.uploadsDir, expirationPeriodInMilliseconds: options.expiresInSeconds * 1000 });
    this.#server = new Server({
      path: '/upload/resumable',
      datastore: this.#store,
      respectForwardedHeaders: true,
      maxSize: (request) => this.#contextOf(request).settings.STORAGE_FILE_SIZE_LIMIT,
      namingFunction: (request) => `${this.#contextOf(request).project.id}-${randomUUID().replaceAll('-', '')}`,
      generateUrl: (request, { proto, host, id }) => {
        const base = new URL(request.url).pathname.replace(/\/upload\/resumable(\/.*)?$/, '');
        return `${proto}://${host}${base}/upload/resumable/${id}`;
      },
      getFileIdFromRequest: (request) => {
        const match = /\/upload\/resumable\/([^/]+)$/.exec(new URL(request.url).pathname);
        return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
      },
      onIncomingRequest: async (request, uploadId) => {
        const context = this.#contextOf(request);
        if (projectOfUpload(uploadId) !== context.project.id) throw StorageErrors.noSuchUpload();
        const method = (request as TusRequest).method;
        if (method !== 'POST') await this.#checkCreator(context.caller, method, uploadId);
      },
      onUploadCreate: async (request, upload) => {
        const context = this.#contextOf(request);
        await this.#checkCreation(context, request as TusRequest, upload);
        return {
          metadata: { ...upload.metadata, upsert: (request as TusRequest).headers.get('x-upsert') === 'true' ? 'true' : 'false', [CREATOR_KEY]: creatorOf(context.caller) },
        };
      },
      onUploadFinish: async (request, upload) => {
        await this.#complete(this.#contextOf(request), upload);
        return {};
      },
      onResponseError: (_request, error) => {
        const known = error instanceof Error || !('status_code' in error) ? toStorageError(error) : undefined;
        if (known === undefined) return undefined;
        if (known.status >= 500) options.logger.error({ err: error }, 'resumable upload failed');
        return { status_code: known.status >= 500 ? 500 : known.status, body: JSON.stringify(renderStorageError(known).body) };
      },
    });
    // uploads abandoned half-way do not stay in staging for ever
    this.#cleanup = setInterval(() => {
      this.#store.deleteExpired().catch((error: unknown) => options.logger.warn({ err: error }, 'dropping expired resumable uploads failed'));
    }, CLEANUP_INTERVAL_MS);
    this.#cleanup.unref();
  }

  /** Hands the request to tus; `context` is the request's project and caller. */
  async handle(request: IncomingMessage, response: ServerResponse, context: StorageContext): Promise<void> {
    this.#contexts.set(request, context);
    await mkdir(this.#options.uploadsDir, { recursive: true });
    await this.#server.handle(request, response);
  }

  /** Drops every staged upload of a project. */
  async deleteProject(projectId: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#options.uploadsDir);
    } catch {
      return;
    }
    await Promise.all(names.filter((name) => name.startsWith(`${projectId}-`)).map((name) => rm(join(this.#options.uploadsDir, name), { force: true })));
  }

  async close(): Promise<void> {
    clearInterval(this.#cleanup);
  }

  #contextOf(request: unknown): StorageContext {
    const node = (request as TusRequest).node?.req;
    const context = node === undefined ? undefined : this.#contexts.get(node);
    if (context === undefined) throw StorageErrors.internal();
    return context;
  }

  /**
   * Refuses a request on someone else's upload as Supabase refuses an upload the caller may not
   * make (403); a HEAD answers as if there were no such upload, so it reveals nothing.
   */
  async #checkCreator(caller: Caller, method: string, uploadId: string): Promise<void> {
    if (caller.role === 'service_role') return;
    const upload = await this.#store.getUpload(uploadId);
    if (upload.metadata?.[CREATOR_KEY] === creatorOf(caller)) return;
    throw method === 'HEAD' ? StorageErrors.noSuchUpload() : StorageErrors.accessDenied('new row violates row-level security policy');
  }

  async #checkCreation(context: StorageContext, request: TusRequest, upload: Upload): Promise<void> {
    const metadata = decodeMetadata(upload);
    if (!metadata.bucketName) throw StorageErrors.missingParameter('bucketName');
    if (!metadata.objectName) throw StorageErrors.missingParameter('objectName');
    await Objects.prepareUpload(context, {
      bucketId: metadata.bucketName,
      name: metadata.objectName,
      contentType: metadata.contentType || 'application/octet-stream',
      contentLength: upload.size,
      upsert: request.headers.get('x-upsert') === 'true',
      cacheControl: metadata.cacheControl,
    });
  }

  async #complete(context: StorageContext, upload: Upload): Promise<void> {
    const metadata = decodeMetadata(upload);
    const upsert = metadata.upsert === 'true';
    try {
      const request = {
        bucketId: metadata.bucketName ?? '',
        name: metadata.objectName ?? '',
        contentType: metadata.contentType || 'application/octet-stream',
        contentLength: upload.size,
        upsert,
      };
      const limits = await Objects.prepareUpload(context, request);
      await Objects.upload(
        context,
        {
          ...request,
          body: createReadStream(join(this.#options.uploadsDir, upload.id)),
          cacheControl: metadata.cacheControl ? (/^\d+$/.test(metadata.cacheControl) ? `max-age=${metadata.cacheControl}` : metadata.cacheControl) : 'no-cache',
          userMetadata: null,
        },
        limits,
      );
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw toStorageError(error);
    } finally {
      // complete or refused, the staged bytes have served their purpose
      await this.#store.remove(upload.id).catch(() => undefined);
    }
  }
}
