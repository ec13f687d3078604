import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Errors } from './s3-errors.ts';

/** What CreateMultipartUpload fixed: where the object goes and how it is described. */
export interface MultipartUpload {
  bucket: string;
  key: string;
  contentType: string;
  cacheControl: string;
  userMetadata: Record<string, string> | null;
}

export interface CompletedParts {
  /** The parts' bytes in order, read as the object is stored. */
  body: Readable;
  size: number;
}

const UPLOAD_FILE = 'upload.json';
const MAX_PART_NUMBER = 10_000;
const partFile = (partNumber: number) => `part-${String(partNumber).padStart(5, '0')}`;

/**
 * S3 multipart uploads, staged on disk until complete: a folder per upload
 * (`<uploads>/s3-multipart/<project>-<id>/`) with its description and one file per part (written
 * to a temporary name, then renamed; its MD5 beside it, the part's ETag). Completing streams the
 * parts, in the order the client lists them, into one object.
 */
export class S3MultipartUploads {
  readonly #root: string;
  readonly #cleanup: NodeJS.Timeout | undefined;

  /** Uploads neither completed nor aborted within `expiresInSeconds` are dropped, checked hourly. */
  constructor(uploadsDir: string, options: { expiresInSeconds?: number; onCleanupError?: (error: unknown) => void } = {}) {
    this.#root = join(uploadsDir, 's3-multipart');
    if (options.expiresInSeconds !== undefined) {
      const maxAgeMs = options.expiresInSeconds * 1000;
      this.#cleanup = setInterval(() => {
        this.deleteExpired(maxAgeMs).catch((error: unknown) => options.onCleanupError?.(error));
      }, 60 * 60 * 1000);
      this.#cleanup.unref();
    }
  }

  close(): void {
    clearInterval(this.#cleanup);
  }

  /** Drops the uploads created more than `maxAgeMs` ago. */
  async deleteExpired(maxAgeMs: number, now = Date.now()): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#root);
    } catch {
      return;
    }
    for (const name of names) {
      const created = await stat(join(this.#root, name, UPLOAD_FILE)).catch(() => undefined);
      if (created === undefined || now - created.mtimeMs > maxAgeMs) await rm(join(this.#root, name), { recursive: true, force: true });
    }
  }

  #folder(projectId: string, uploadId: string): string {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw S3Errors.noSuchUpload();
    return join(this.#root, `${projectId}-${uploadId}`);
  }

  async create(projectId: string, upload: MultipartUpload): Promise<string> {
    const uploadId = randomUUID().replaceAll('-', '');
    const folder = this.#folder(projectId, uploadId);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, UPLOAD_FILE), JSON.stringify(upload));
    return uploadId;
  }

  /** The upload, if it exists and is for this bucket and key. */
  async get(projectId: string, uploadId: string, bucket: string, key: string): Promise<MultipartUpload> {
    let upload: MultipartUpload;
    try {
      upload = JSON.parse(await readFile(join(this.#folder(projectId, uploadId), UPLOAD_FILE), 'utf8')) as MultipartUpload;
    } catch {
      throw S3Errors.noSuchUpload();
    }
    if (upload.bucket !== bucket || upload.key !== key) throw S3Errors.noSuchUpload();
    return upload;
  }

  /** Stores one part (replacing an earlier one of that number); answers its ETag. `maxBytes` bounds it. */
  async writePart(projectId: string, uploadId: string, partNumber: number, body: AsyncIterable<Buffer> | Readable, maxBytes: number): Promise<string> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) throw S3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive');
    const folder = this.#folder(projectId, uploadId);
    const target = join(folder, partFile(partNumber));
    const temporary = `${target}.${randomUUID()}.tmp`;
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(S3Errors.invalidArgument(`A part may not exceed ${maxBytes} bytes`));
        md5.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.from(body), measure, createWriteStream(temporary, { flags: 'wx' }));
      const etag = `"${md5.digest('hex')}"`;
      await writeFile(`${target}.etag`, etag);
      await rename(temporary, target);
      return etag;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** The listed parts, checked (ascending numbers, each stored with that ETag), as one stream. */
  async complete(projectId: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<CompletedParts> {
    const folder = this.#folder(projectId, uploadId);
    if (parts.length === 0) throw S3Errors.malformedXml();
    let size = 0;
    let previous = 0;
    for (const part of parts) {
      if (!(part.partNumber > previous)) throw S3Errors.invalidPartOrder();
      previous = part.partNumber;
      const stored = await readFile(join(folder, `${partFile(part.partNumber)}.etag`), 'utf8').catch(() => undefined);
      if (stored === undefined || stored.replaceAll('"', '') !== part.etag.replaceAll('"', '')) throw S3Errors.invalidPart();
      size += (await stat(join(folder, partFile(part.partNumber)))).size;
    }
    const files = parts.map((part) => join(folder, partFile(part.partNumber)));
    async function* concatenated(): AsyncGenerator<Buffer> {
      for (const file of files) for await (const chunk of createReadStream(file)) yield chunk as Buffer;
    }
    return { body: Readable.from(concatenated()), size };
  }

  async remove(projectId: string, uploadId: string): Promise<void> {
    await rm(this.#folder(projectId, uploadId), { recursive: true, force: true });
  }

  /** Drops every staged multipart upload of a project. */
  async deleteProject(projectId: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#root);
    } catch {
      return;
    }
    await Promise.all(names.filter((name) => name.startsWith(`${projectId}-`)).map((name) => rm(join(this.#root, name), { recursive: true, force: true })));
  }
}
