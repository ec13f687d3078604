import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Buckets } from '../domain/buckets.ts';
import { identifyCaller } from '../domain/caller.ts';
import { encodeListCursor } from '../domain/list-cursor.ts';
import { Objects } from '../domain/objects.ts';
import { withServiceRole, type StorageContext } from '../domain/storage-context.ts';
import { StorageError } from '../errors.ts';
import { sendObject } from '../routes/object/send-object.ts';
import { storageContext } from '../routes/storage-request.ts';
import { ChunkedBodyError, decodeAwsChunked } from './aws-chunked.ts';
import { authenticateS3, type S3Authenticated } from './s3-authentication.ts';
import type { S3Credentials } from './s3-credentials.ts';
import { S3Errors, renderS3Error, toS3Error } from './s3-errors.ts';
import type { S3MultipartUploads } from './s3-multipart.ts';
import { xmlDocument, xmlRecords } from './s3-xml.ts';

export interface S3RouteDependencies {
  /** Absent: the server has no access keys to check against, and every S3 request is refused. */
  credentials: S3Credentials | undefined;
  multipart: S3MultipartUploads;
}

/** Request documents (DeleteObjects, CompleteMultipartUpload) are small. */
const XML_BODY_LIMIT = 2 * 1024 * 1024;
const MAX_KEYS = 1000;

type Query = Record<string, string | undefined>;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The request's payload, decoded from aws-chunked and checked against the hash the signature covers. */
function payloadOf(request: FastifyRequest, auth: S3Authenticated): Readable {
  const raw = request.raw;
  if (auth.payloadHash.startsWith('STREAMING-')) {
    if (auth.payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') && auth.chunkSigning === undefined) throw S3Errors.missingSecurityHeader();
    return Readable.from(decodeAwsChunked(raw, auth.chunkSigning));
  }
  if (auth.payloadHash === 'UNSIGNED-PAYLOAD') return raw;
  if (!/^[0-9a-f]{64}$/.test(auth.payloadHash)) throw S3Errors.contentSha256Mismatch();
  const expected = auth.payloadHash;
  async function* verified(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    for await (const chunk of raw) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    // the last bytes are held back by the error: the backend never commits a body that does not match
    if (hash.digest('hex') !== expected) throw S3Errors.contentSha256Mismatch();
  }
  return Readable.from(verified());
}

/** The payload's length: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
function payloadLength(request: FastifyRequest, auth: S3Authenticated): number | undefined {
  const text = auth.payloadHash.startsWith('STREAMING-') ? header(request, 'x-amz-decoded-content-length') : header(request, 'content-length');
  const length = text === undefined ? undefined : Number(text);
  return length !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > XML_BODY_LIMIT) throw S3Errors.malformedXml();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function userMetadataOf(request: FastifyRequest): Record<string, string> | null {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  return Object.keys(metadata).length === 0 ? null : metadata;
}

function sendXml(reply: FastifyReply, root: string, body: Parameters<typeof xmlDocument>[1], status = 200): FastifyReply {
  return reply.code(status).type('application/xml').send(xmlDocument(root, body));
}

function translateBodyError(error: unknown): unknown {
  if (error instanceof ChunkedBodyError) return error.signatureMismatch ? S3Errors.signatureDoesNotMatch() : S3Errors.invalidArgument(error.message);
  return error;
}

/**
 * `/s3` and `/s3/*`: the S3 protocol over the project's buckets, as Supabase Storage offers it.
 * Every request is signed (SigV4) with one of the project's S3 access keys, which act as the
 * project's service role, or with a user's session token (see S3Authenticated), which acts as the
 * user under the project's row-level security. Buckets, objects and their rows are the same as through the Storage
 * API: what one writes, the other reads.
 */
export function s3Routes(scope: FastifyInstance, deps: S3RouteDependencies): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  scope.setErrorHandler((error, request, reply) => {
    const s3 = toS3Error(translateBodyError(error));
    if (s3.status >= 500 && s3.status !== 503) request.log.error({ err: error }, 's3 request failed');
    if (!request.raw.complete) reply.header('connection', 'close');
    const body = request.method === 'HEAD' ? undefined : renderS3Error(s3, request.url.split('?')[0]!, request.id);
    return reply.code(s3.status).header('x-amz-request-id', request.id).type('application/xml').send(body);
  });
  for (const url of ['/s3', '/s3/*']) {
    scope.route({
      method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      url,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        if (deps.credentials === undefined) throw S3Errors.accessDenied('S3 access keys are not available on this server');
        const base = storageContext(request);
        const auth = await authenticateS3(request.raw, { id: base.project.id, anonKey: base.project.apiKeys.anon }, deps.credentials);
        reply.header('x-amz-request-id', request.id);
        // an access key acts as the service role; a session token as its user, under RLS
        const context = auth.sessionToken === undefined ? withServiceRole(base) : { ...base, caller: await identifyCaller(base.project, { authorization: `Bearer ${auth.sessionToken}` }) };
        const path = (request.params as { '*'?: string })['*'] ?? '';
        const slash = path.indexOf('/');
        const bucket = slash < 0 ? path : path.slice(0, slash);
        const key = slash < 0 ? '' : path.slice(slash + 1);
        const query = request.query as Query;
        if (bucket === '') return serviceOperation(request, reply, context);
        if (key === '') return bucketOperation(request, reply, context, auth, bucket, query);
        return objectOperation(request, reply, context, auth, deps.multipart, bucket, key, query);
      },
    });
  }
}

async function serviceOperation(request: FastifyRequest, reply: FastifyReply, context: StorageContext): Promise<FastifyReply> {
  if (request.method !== 'GET') throw S3Errors.methodNotAllowed();
  const buckets = await Buckets.list(context, { sortColumn: 'name', sortOrder: 'asc' });
  return sendXml(reply, 'ListAllMyBucketsResult', {
    Owner: { ID: context.project.id, DisplayName: context.project.id },
    Buckets: { Bucket: buckets.map((bucket) => ({ Name: bucket.name, CreationDate: bucket.created_at })) },
  });
}

async function bucketOperation(request: FastifyRequest, reply: FastifyReply, context: StorageContext, auth: S3Authenticated, bucket: string, query: Query): Promise<FastifyReply> {
  switch (request.method) {
    case 'HEAD':
      await Buckets.get(context, bucket);
      return reply.code(200).send();
    case 'PUT':
      await Buckets.create(context, bucket, bucket, { public: false });
      return reply.code(200).header('location', `/${bucket}`).send();
    case 'DELETE':
      await Buckets.remove(context, bucket);
      return reply.code(204).send();
    case 'POST': {
      if (!('delete' in query)) throw S3Errors.methodNotAllowed();
      const document = await readText(payloadOf(request, auth));
      const keys = xmlRecords(document, 'Object', ['Key']).map((record) => record.Key);
      if (keys.length === 0 || keys.length > 1000 || keys.some((key) => key === undefined)) throw S3Errors.malformedXml();
      await mustExist(context, bucket);
      await Objects.removeMany(context, bucket, keys as string[]);
      const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(document);
      // S3 reports every key asked for as deleted, whether or not it was there
      return sendXml(reply, 'DeleteResult', { Deleted: quiet ? [] : (keys as string[]).map((key) => ({ Key: key })) });
    }
    case 'GET': {
      if ('location' in query) return sendXml(reply, 'LocationConstraint', {});
      if ('uploads' in query || 'versioning' in query || 'policy' in query || 'acl' in query) throw S3Errors.notImplemented('This bucket operation');
      return listObjects(reply, context, bucket, query);
    }
    default:
      throw S3Errors.methodNotAllowed();
  }
}

/** NoSuchBucket unless the bucket exists, whoever the caller (a user may list a bucket whose row no policy shows them). */
async function mustExist(context: StorageContext, bucket: string): Promise<void> {
  await Buckets.limitsOf(context, bucket);
}

async function listObjects(reply: FastifyReply, context: StorageContext, bucket: string, query: Query): Promise<FastifyReply> {
  await mustExist(context, bucket);
  const v2 = query['list-type'] === '2';
  const delimiter = query.delimiter ?? '';
  if (delimiter !== '' && delimiter !== '/') throw S3Errors.notImplemented('A delimiter other than /');
  const maxKeys = query['max-keys'] === undefined ? MAX_KEYS : Number(query['max-keys']);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw S3Errors.invalidArgument('max-keys must be a non-negative integer');
  const prefix = query.prefix ?? '';
  const startAfter = v2 ? query['start-after'] : query.marker;
  const cursor = v2 && query['continuation-token'] ? query['continuation-token'] : startAfter ? encodeListCursor({ startAfter }) : undefined;
  const page =
    maxKeys === 0
      ? { hasNext: false, folders: [], objects: [], nextCursor: undefined }
      : await Objects.listV2(context, bucket, { prefix, limit: Math.min(maxKeys, MAX_KEYS), cursor, withDelimiter: delimiter === '/' });
  const contents = page.objects.map((object) => ({
    Key: object.name,
    LastModified: object.updated_at,
    ETag: object.metadata?.eTag,
    Size: object.metadata?.size ?? 0,
    StorageClass: 'STANDARD',
  }));
  const common = {
    Name: bucket,
    Prefix: prefix,
    Delimiter: delimiter === '' ? undefined : delimiter,
    MaxKeys: maxKeys,
    IsTruncated: page.hasNext,
    Contents: contents,
    CommonPrefixes: page.folders.map((folder) => ({ Prefix: folder.name })),
  };
  if (v2) {
    return sendXml(reply, 'ListBucketResult', {
      ...common,
      KeyCount: contents.length + page.folders.length,
      ContinuationToken: query['continuation-token'],
      NextContinuationToken: page.nextCursor,
      StartAfter: query['start-after'],
    });
  }
  const last = [...page.objects.map((object) => object.name), ...page.folders.map((folder) => folder.name)].sort().at(-1);
  return sendXml(reply, 'ListBucketResult', { ...common, Marker: query.marker ?? '', NextMarker: page.hasNext ? last : undefined });
}

async function objectOperation(
  request: FastifyRequest,
  reply: FastifyReply,
  context: StorageContext,
  auth: S3Authenticated,
  multipart: S3MultipartUploads,
  bucket: string,
  key: string,
  query: Query,
): Promise<FastifyReply> {
  const projectId = context.project.id;
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      const row = await findInBucket(context, bucket, key);
      for (const [name, value] of Object.entries(row.user_metadata ?? {})) {
        if (typeof value === 'string' && /^[\x20-\x7e]*$/.test(value) && /^[a-z0-9-]+$/i.test(name)) reply.header(`x-amz-meta-${name.toLowerCase()}`, value);
      }
      return sendObject(request, reply, context, row, { storedContentType: true });
    }
    case 'PUT': {
      if (query.uploadId !== undefined || query.partNumber !== undefined) {
        await multipart.get(projectId, query.uploadId ?? '', bucket, key);
        const limits = await Objects.uploadLimits(context, bucket);
        const etag = await multipart.writePart(projectId, query.uploadId ?? '', Number(query.partNumber), payloadOf(request, auth), limits.maxBytes);
        return reply.code(200).header('etag', etag).send();
      }
      const copySource = header(request, 'x-amz-copy-source');
      if (copySource !== undefined) return copyObject(reply, context, copySource, bucket, key);
      await Objects.upload(context, {
        bucketId: bucket,
        name: key,
        body: payloadOf(request, auth),
        contentType: header(request, 'content-type') || 'application/octet-stream',
        cacheControl: header(request, 'cache-control') || 'no-cache',
        contentLength: payloadLength(request, auth),
        userMetadata: userMetadataOf(request),
        upsert: true,
      });
      const row = await Objects.find(context, bucket, key);
      return reply.code(200).header('etag', row.metadata?.eTag ?? '').send();
    }
    case 'DELETE': {
      if (query.uploadId !== undefined) {
        await multipart.get(projectId, query.uploadId, bucket, key);
        await multipart.remove(projectId, query.uploadId);
        return reply.code(204).send();
      }
      try {
        await Objects.remove(context, bucket, key);
      } catch (error) {
        // S3 answers 204 for a key that is not there
        if (!(error instanceof StorageError && error.code === 'NoSuchKey')) throw error;
        await mustExist(context, bucket);
      }
      return reply.code(204).send();
    }
    case 'POST': {
      if ('uploads' in query) {
        await Objects.prepareUpload(context, { bucketId: bucket, name: key, contentType: header(request, 'content-type') || 'application/octet-stream', upsert: true });
        const uploadId = await multipart.create(projectId, {
          bucket,
          key,
          contentType: header(request, 'content-type') || 'application/octet-stream',
          cacheControl: header(request, 'cache-control') || 'no-cache',
          userMetadata: userMetadataOf(request),
        });
        return sendXml(reply, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
      }
      if (query.uploadId !== undefined) return completeMultipart(request, reply, context, auth, multipart, bucket, key, query.uploadId);
      throw S3Errors.methodNotAllowed();
    }
    default:
      throw S3Errors.methodNotAllowed();
  }
}

/** The object's row; NoSuchBucket (not NoSuchKey) when the bucket itself is missing, as S3 answers. */
async function findInBucket(context: StorageContext, bucket: string, key: string) {
  try {
    return await Objects.find(context, bucket, key);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'NoSuchKey') await mustExist(context, bucket);
    throw error;
  }
}

async function completeMultipart(
  request: FastifyRequest,
  reply: FastifyReply,
  context: StorageContext,
  auth: S3Authenticated,
  multipart: S3MultipartUploads,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<FastifyReply> {
  const projectId = context.project.id;
  const upload = await multipart.get(projectId, uploadId, bucket, key);
  const document = await readText(payloadOf(request, auth));
  const parts = xmlRecords(document, 'Part', ['PartNumber', 'ETag']).map((part) => ({ partNumber: Number(part.PartNumber), etag: part.ETag ?? '' }));
  const completed = await multipart.complete(projectId, uploadId, parts);
  await Objects.upload(context, {
    bucketId: bucket,
    name: key,
    body: completed.body,
    contentType: upload.contentType,
    cacheControl: upload.cacheControl,
    contentLength: completed.size,
    userMetadata: upload.userMetadata,
    upsert: true,
  });
  await multipart.remove(projectId, uploadId);
  const row = await Objects.find(context, bucket, key);
  return sendXml(reply, 'CompleteMultipartUploadResult', { Location: `/${bucket}/${key}`, Bucket: bucket, Key: key, ETag: row.metadata?.eTag });
}

async function copyObject(reply: FastifyReply, context: StorageContext, copySource: string, bucket: string, key: string): Promise<FastifyReply> {
  const source = decodeURIComponent(copySource.split('?')[0]!).replace(/^\//, '');
  const slash = source.indexOf('/');
  if (slash <= 0 || slash === source.length - 1) throw S3Errors.invalidArgument('x-amz-copy-source must name a bucket and a key');
  await Objects.copy(context, { bucketId: source.slice(0, slash), sourceKey: source.slice(slash + 1), destinationBucket: bucket, destinationKey: key }, true);
  const row = await Objects.find(context, bucket, key);
  return sendXml(reply, 'CopyObjectResult', { LastModified: row.updated_at, ETag: row.metadata?.eTag });
}
