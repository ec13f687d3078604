import { isDatabaseUnavailable, LaunchDbError, type UnstorableInput } from '@launchdb/common';

/**
 * Supabase Storage's error codes (its `ErrorCode` enum), the ones this service answers with.
 */
export const StorageErrorCode = {
  NoSuchBucket: 'NoSuchBucket',
  NoSuchKey: 'NoSuchKey',
  NoSuchUpload: 'NoSuchUpload',
  InvalidJWT: 'InvalidJWT',
  InvalidRequest: 'InvalidRequest',
  TenantNotFound: 'TenantNotFound',
  EntityTooLarge: 'EntityTooLarge',
  InternalError: 'InternalError',
  ResourceAlreadyExists: 'ResourceAlreadyExists',
  ResourceNotEmpty: 'ResourceNotEmpty',
  InvalidBucketName: 'InvalidBucketName',
  InvalidKey: 'InvalidKey',
  InvalidRange: 'InvalidRange',
  InvalidMimeType: 'InvalidMimeType',
  InvalidSignature: 'InvalidSignature',
  AccessDenied: 'AccessDenied',
  MissingParameter: 'MissingParameter',
  InvalidParameter: 'InvalidParameter',
  DatabaseError: 'DatabaseError',
  SlowDown: 'SlowDown',
  TusError: 'TusError',
  ServiceUnavailable: 'ServiceUnavailable',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/**
 * An error in Supabase Storage's shape. `status` is the statusCode of the body; like Supabase,
 * the HTTP status is 400 for every client error and 500 for ours, unless `httpStatus` says
 * otherwise (errors of the platform in front of Storage: unknown project, project not active).
 */
export class StorageError extends LaunchDbError {
  /** The body's `error` field: Supabase's older, human-ish name ("Bucket not found", "Duplicate"…). */
  readonly error: string;
  readonly httpStatus: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(options: { code: StorageErrorCode; status: number; message: string; error?: string; httpStatus?: number; retryAfterSeconds?: number }) {
    super(options.code, options.status, options.message);
    this.name = 'StorageError';
    this.error = options.error ?? options.code;
    this.httpStatus = options.httpStatus ?? (options.status >= 500 ? options.status : 400);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Every error of the Storage routes, with Supabase Storage's codes, statuses and messages. */
export const StorageErrors = {
  noSuchBucket: () => new StorageError({ code: StorageErrorCode.NoSuchBucket, status: 404, error: 'Bucket not found', message: 'Bucket not found' }),
  noSuchKey: () => new StorageError({ code: StorageErrorCode.NoSuchKey, status: 404, error: 'not_found', message: 'Object not found' }),
  noSuchUpload: () => new StorageError({ code: StorageErrorCode.NoSuchUpload, status: 404, message: 'Upload not found' }),
  bucketAlreadyExists: () => new StorageError({ code: StorageErrorCode.ResourceAlreadyExists, status: 409, error: 'Duplicate', message: 'The resource already exists' }),
  keyAlreadyExists: () => new StorageError({ code: StorageErrorCode.ResourceAlreadyExists, status: 409, error: 'Duplicate', message: 'The resource already exists' }),
  bucketNotEmpty: () => new StorageError({ code: StorageErrorCode.ResourceNotEmpty, status: 409, message: 'The bucket you tried to delete is not empty' }),
  invalidBucketName: (reason: string) =>
    new StorageError({ code: StorageErrorCode.InvalidBucketName, status: 400, error: 'Invalid Input', message: `Bucket name invalid: ${reason}` }),
  invalidKey: (key: string) => new StorageError({ code: StorageErrorCode.InvalidKey, status: 400, message: `Invalid key: ${key}` }),
  invalidRange: () => new StorageError({ code: StorageErrorCode.InvalidRange, status: 400, error: 'invalid_range', message: 'invalid range provided' }),
  invalidMimeType: (mimeType: string) =>
    new StorageError({ code: StorageErrorCode.InvalidMimeType, status: 415, error: 'invalid_mime_type', message: `mime type ${mimeType} is not supported` }),
  entityTooLarge: (entity = 'object', limit = 'the maximum allowed size') =>
    new StorageError({ code: StorageErrorCode.EntityTooLarge, status: 413, error: 'Payload too large', message: `The ${entity} exceeded ${limit}` }),
  invalidFileSizeLimit: () =>
    new StorageError({ code: StorageErrorCode.InvalidRequest, status: 400, message: 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B' }),
  /** A token that does not verify: expired, altered, signed with another secret. */
  invalidJwt: (message: string) => new StorageError({ code: StorageErrorCode.InvalidJWT, status: 400, message }),
  /** The caller's bearer token did not verify (Supabase answers these as AccessDenied). */
  accessDenied: (message = 'Access denied') => new StorageError({ code: StorageErrorCode.AccessDenied, status: 403, error: 'Unauthorized', message }),
  rowLevelSecurity: () =>
    new StorageError({ code: StorageErrorCode.AccessDenied, status: 403, error: 'Unauthorized', message: 'new row violates row-level security policy' }),
  /** A role claim that is none of anon, authenticated, service_role. */
  roleNotAllowed: (role: string) =>
    new StorageError({ code: StorageErrorCode.AccessDenied, status: 403, error: 'Unauthorized', message: `role ${JSON.stringify(role)} may not use storage`, httpStatus: 403 }),
  noCredentials: () =>
    new StorageError({ code: StorageErrorCode.AccessDenied, status: 401, error: 'Unauthorized', message: 'No API key found in request', httpStatus: 401 }),
  invalidSignature: () => new StorageError({ code: StorageErrorCode.InvalidSignature, status: 400, message: 'The url do not match the signature' }),
  missingParameter: (name: string) => new StorageError({ code: StorageErrorCode.MissingParameter, status: 400, message: `Missing Required Parameter ${name}` }),
  invalidParameter: (message: string) => new StorageError({ code: StorageErrorCode.InvalidParameter, status: 400, message }),
  invalidRequest: (message: string, status = 400) => new StorageError({ code: StorageErrorCode.InvalidRequest, status, message }),
  /** What an unknown route answers (Fastify's not-found, in Storage's shape). */
  routeNotFound: (method: string, path: string) =>
    new StorageError({ code: StorageErrorCode.InvalidRequest, status: 404, message: `Route ${method}:${path} not found`, httpStatus: 404 }),
  noContent: () => new StorageError({ code: StorageErrorCode.InvalidRequest, status: 400, message: 'No content provided' }),
  tus: (message: string, status: number) => new StorageError({ code: StorageErrorCode.TusError, status, message, httpStatus: status }),
  projectNotFound: (projectId: string) =>
    new StorageError({ code: StorageErrorCode.TenantNotFound, status: 404, error: 'Not Found', message: `Project ${JSON.stringify(projectId)} not found`, httpStatus: 404 }),
  projectUnavailable: (projectId: string, state: string) =>
    new StorageError({
      code: StorageErrorCode.ServiceUnavailable,
      status: 503,
      error: 'Service Unavailable',
      message: `Project ${projectId} is not available (${state})`,
      retryAfterSeconds: state === 'provisioning' ? 2 : 60,
    }),
  databaseUnavailable: () =>
    new StorageError({ code: StorageErrorCode.DatabaseError, status: 503, error: 'Service Unavailable', message: 'The project database is unavailable', retryAfterSeconds: 1 }),
  tooManyConnections: () =>
    new StorageError({ code: StorageErrorCode.SlowDown, status: 429, error: 'too_many_connections', message: 'Too many connections issued to the database', httpStatus: 429, retryAfterSeconds: 1 }),
  clientGone: () => new StorageError({ code: StorageErrorCode.InvalidRequest, status: 499, message: 'The client closed the connection', httpStatus: 499 }),
  internal: () => new StorageError({ code: StorageErrorCode.InternalError, status: 500, error: 'Internal', message: 'Internal Server Error' }),
};

interface PgLikeError {
  code?: string;
  message?: string;
}

/**
 * A PostgreSQL error raised by a metadata query run as the caller, as Supabase maps it
 * (src/storage/database/errors.ts); undefined when it is none of those.
 */
export function databaseErrorToStorageError(error: unknown): StorageError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // PostgreSQL restarting, PgBouncer refusing clients meanwhile, a connection dropped mid-request
  if (isDatabaseUnavailable(error)) return StorageErrors.databaseUnavailable();
  const { code, message = '' } = error as PgLikeError;
  if (code === undefined) return undefined;
  switch (code) {
    case '42501':
      return message.includes('row-level security') ? StorageErrors.rowLevelSecurity() : StorageErrors.accessDenied(message);
    case '23505':
      return StorageErrors.keyAlreadyExists();
    case '53300':
      return StorageErrors.tooManyConnections();
  }
  return undefined;
}

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}

/** Whatever a route threw (ours, Fastify's, a parser's, PostgreSQL's), as a Storage error. */
export function toStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const fromDatabase = databaseErrorToStorageError(error);
  if (fromDatabase !== undefined) return fromDatabase;
  const framework = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as FrameworkError;
  if (framework.validation) return StorageErrors.invalidRequest(framework.message);
  switch (framework.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return StorageErrors.entityTooLarge('request body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return StorageErrors.invalidRequest(framework.message, 415);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return StorageErrors.invalidRequest('Body is not valid JSON');
  }
  if (typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    return StorageErrors.invalidRequest(framework.message, framework.statusCode);
  }
  return StorageErrors.internal();
}

export interface RenderedStorageError {
  status: number;
  headers: Record<string, string>;
  body: { statusCode: string; code: string; error: string; message: string };
}

/** Supabase Storage's error body: `{statusCode, code, error, message}`, statusCode as a string. */
export function renderStorageError(error: StorageError): RenderedStorageError {
  const headers: Record<string, string> = { 'x-sb-error-code': error.code };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return {
    status: error.httpStatus,
    headers,
    body: { statusCode: String(error.status), code: error.code, error: error.error, message: error.message },
  };
}

/**
 * Text PostgreSQL cannot store (NUL, an unpaired surrogate), refused at the edge: in an object's
 * name it is an invalid key and in a bucket's an invalid bucket name, as Supabase answers names
 * outside its character set; anywhere else an invalid request.
 */
export function storageErrorOfUnstorable(input: UnstorableInput): StorageError {
  if (input.where === 'path' && input.name === '*') return StorageErrors.invalidKey(input.value);
  if (input.where === 'path' && /^bucket/i.test(input.name)) return StorageErrors.invalidBucketName(input.message);
  return StorageErrors.invalidRequest(input.message);
}
