import type { IncomingMessage } from 'node:http';
import { S3Errors } from './s3-errors.ts';
import type { S3Credentials } from './s3-credentials.ts';
import type { ChunkSigning } from './aws-chunked.ts';
import { expectedSignature, parseAmzDate, parseAuthorization, signaturesMatch, type SigV4Authorization } from './sigv4.ts';

/** How far a signed request's time may be from ours (S3's own limit). */
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

export interface S3Authenticated {
  accessKeyId: string;
  /**
   * A user's session, as Supabase's S3 takes it: access key id = the project id, secret = the
   * anon key, session token (x-amz-security-token) = the user's JWT. The request then acts as that
   * user, under the project's row-level security; without it, as the access key's service role.
   */
  sessionToken?: string;
  /** The x-amz-content-sha256 the signature covers: a hex digest, UNSIGNED-PAYLOAD or a STREAMING-… mode. */
  payloadHash: string;
  /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies: what each chunk's signature chains from. */
  chunkSigning?: ChunkSigning;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The project as the S3 endpoint needs it: its id, and its anon key (the secret of session-token requests). */
export interface S3Project {
  id: string;
  anonKey: string | undefined;
}

/**
 * Verifies a request's SigV4 signature — the Authorization header, or a presigned URL's query —
 * under the secret of the project's access key it names (or the anon key, for a user's session
 * token). Every failure is S3's 403; the session token itself is verified by the caller.
 */
export async function authenticateS3(request: IncomingMessage, project: S3Project, credentials: S3Credentials, now = Date.now()): Promise<S3Authenticated> {
  const url = request.url ?? '/';
  const questionMark = url.indexOf('?');
  const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? '' : url.slice(questionMark + 1);
  const query = new URLSearchParams(rawQuery);

  let auth: SigV4Authorization | undefined;
  let amzDate: string | undefined;
  let payloadHash: string;
  const header = single(request.headers.authorization);
  if (header !== undefined) {
    auth = parseAuthorization(header);
    amzDate = single(request.headers['x-amz-date']);
    payloadHash = single(request.headers['x-amz-content-sha256']) ?? '';
    if (auth === undefined || amzDate === undefined || payloadHash === '' || !auth.signedHeaders.includes('host')) throw S3Errors.missingSecurityHeader();
    const time = parseAmzDate(amzDate);
    if (time === undefined || Math.abs(now - time) > MAX_SKEW_MS) throw S3Errors.requestTimeTooSkewed();
  } else if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    const credential = query.get('X-Amz-Credential') ?? '';
    auth = parseAuthorization(`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${query.get('X-Amz-SignedHeaders') ?? ''}, Signature=${query.get('X-Amz-Signature') ?? ''}`);
    amzDate = query.get('X-Amz-Date') ?? undefined;
    const expires = Number(query.get('X-Amz-Expires'));
    const time = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (auth === undefined || time === undefined || !Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) throw S3Errors.missingSecurityHeader();
    if (now > time + expires * 1000 || time - now > MAX_SKEW_MS) throw S3Errors.accessDenied('Request has expired');
    payloadHash = 'UNSIGNED-PAYLOAD';
  } else {
    throw S3Errors.missingSecurityHeader();
  }

  if (amzDate === undefined) throw S3Errors.missingSecurityHeader();
  const signedAt = amzDate;
  const sessionToken = single(request.headers['x-amz-security-token']) ?? query.get('X-Amz-Security-Token') ?? undefined;
  let secret: string | undefined;
  if (sessionToken !== undefined) {
    if (auth.accessKeyId !== project.id || project.anonKey === undefined) throw S3Errors.invalidAccessKeyId();
    secret = project.anonKey;
  } else {
    secret = await credentials.secretOf(project.id, auth.accessKeyId);
  }
  if (secret === undefined) throw S3Errors.invalidAccessKeyId();
  const expected = expectedSignature({ method: request.method ?? 'GET', rawPath, rawQuery, headers: request.headers, payloadHash }, auth, signedAt, secret);
  if (!signaturesMatch(expected.signature, auth.signature)) throw S3Errors.signatureDoesNotMatch();
  return {
    accessKeyId: auth.accessKeyId,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    payloadHash,
    ...(payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') ? { chunkSigning: { key: expected.key, amzDate: signedAt, scope: expected.scope, seedSignature: auth.signature } } : {}),
  };
}
