import type { Readable } from 'node:stream';

/**
 * Where one version of an object's bytes lives. Every upload writes a new `version` (a random
 * id) and only then points the metadata row at it, so an overwrite never exposes a half-written
 * file and a failed upload leaves the previous version in place; the old version is deleted
 * after the metadata commits.
 */
export interface ObjectLocation {
  projectId: string;
  bucketId: string;
  /** The object's name in the bucket (`folder/file.png`), already validated by the caller. */
  key: string;
  version: string;
}

export interface StoredObjectInfo {
  size: number;
  /** Quoted, as sent in the ETag header: `"…"`. */
  etag: string;
  lastModified: Date;
  contentType: string;
  cacheControl: string;
}

/** Both ends inclusive, as in an HTTP Range header, already checked against the object's size. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface WriteOptions {
  contentType: string;
  cacheControl: string;
  /** More bytes than this and the write fails with ObjectTooLargeError; nothing is stored. */
  maxBytes?: number;
  /** Aborting fails the write; nothing is stored. */
  signal?: AbortSignal;
}

export interface ReadResult {
  body: Readable;
  info: StoredObjectInfo;
}

/**
 * The bytes of objects, kept apart from their metadata (storage.objects, in the project's
 * database). Implementations: `fs` (the embedded default) and `s3`. Every method streams;
 * none holds a whole object in memory.
 */
export interface StorageBackend {
  readonly kind: 'fs' | 's3';
  /** Streams `body` into the location; the object becomes visible only once complete. */
  write(location: ObjectLocation, body: Readable, options: WriteOptions): Promise<StoredObjectInfo>;
  /** Throws ObjectNotFoundError when the location holds nothing. */
  read(location: ObjectLocation, options?: { range?: ByteRange }): Promise<ReadResult>;
  /** Undefined when the location holds nothing. */
  head(location: ObjectLocation): Promise<StoredObjectInfo | undefined>;
  /** Throws ObjectNotFoundError when `from` holds nothing. */
  copy(from: ObjectLocation, to: ObjectLocation): Promise<StoredObjectInfo>;
  /** Locations that hold nothing are skipped. */
  delete(locations: ObjectLocation[]): Promise<void>;
  /** Everything stored for a project: called when the project is deleted. */
  deleteProject(projectId: string): Promise<void>;
  /**
   * Every location that holds an object of the project, read as it goes (a backup streams each
   * one into its archive). Writes in progress are not listed; the order is the backend's.
   */
  listProject(projectId: string): AsyncIterable<ObjectLocation>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(location: ObjectLocation) {
    super(`no object at ${location.bucketId}/${location.key} (${location.version})`);
    this.name = 'ObjectNotFoundError';
  }
}

export class ObjectTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the object is larger than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
    this.maxBytes = maxBytes;
  }
}
