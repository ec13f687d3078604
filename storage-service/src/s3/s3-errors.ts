import { LaunchDbError } from '@launchdb/common';
import { StorageError, toStorageError } from '../errors.ts';
import { xmlDocument } from './s3-xml.ts';

/** An S3 protocol error: S3's code, its HTTP status and message. */
export class S3Error extends LaunchDbError {
  constructor(code: string, status: number, message: string) {
    super(code, status, message);
    this.name = 'S3Error';
  }
}

export const S3Errors = {
  accessDenied: (message = 'Access Denied') => new S3Error('AccessDenied', 403, message),
  invalidAccessKeyId: () => new S3Error('InvalidAccessKeyId', 403, 'The Access Key Id you provided does not exist in our records.'),
  signatureDoesNotMatch: () =>
    new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'),
  requestTimeTooSkewed: () => new S3Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.'),
  missingSecurityHeader: () => new S3Error('AccessDenied', 403, 'Missing or malformed SigV4 Authorization header'),
  contentSha256Mismatch: () => new S3Error('XAmzContentSHA256Mismatch', 400, 'The provided x-amz-content-sha256 header does not match what was computed.'),
  noSuchUpload: () => new S3Error('NoSuchUpload', 404, 'The specified multipart upload does not exist.'),
  invalidPart: () => new S3Error('InvalidPart', 400, 'One or more of the specified parts could not be found.'),
  invalidPartOrder: () => new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.'),
  malformedXml: () => new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.'),
  invalidArgument: (message: string) => new S3Error('InvalidArgument', 400, message),
  notImplemented: (what: string) => new S3Error('NotImplemented', 501, `${what} is not implemented`),
  methodNotAllowed: () => new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.'),
};

/** Storage's errors under the names S3 clients know (Supabase's S3 handler maps them so). */
const FROM_STORAGE: Record<string, [string, number]> = {
  NoSuchBucket: ['NoSuchBucket', 404],
  NoSuchKey: ['NoSuchKey', 404],
  NoSuchUpload: ['NoSuchUpload', 404],
  ResourceNotEmpty: ['BucketNotEmpty', 409],
  InvalidBucketName: ['InvalidBucketName', 400],
  InvalidKey: ['InvalidKey', 400],
  InvalidMimeType: ['InvalidArgument', 400],
  EntityTooLarge: ['EntityTooLarge', 400],
  InvalidRange: ['InvalidRange', 416],
  AccessDenied: ['AccessDenied', 403],
  InvalidRequest: ['InvalidRequest', 400],
  InvalidParameter: ['InvalidArgument', 400],
  MissingParameter: ['InvalidArgument', 400],
  TenantNotFound: ['NoSuchBucket', 404],
  SlowDown: ['SlowDown', 503],
  ServiceUnavailable: ['ServiceUnavailable', 503],
  DatabaseError: ['ServiceUnavailable', 503],
};

export function toS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  const storage: StorageError = toStorageError(error);
  // objects are always overwritten through S3, so only a bucket can already exist
  if (storage.code === 'ResourceAlreadyExists') return new S3Error('BucketAlreadyOwnedByYou', 409, storage.message);
  const mapped = FROM_STORAGE[storage.code];
  if (mapped === undefined) return new S3Error('InternalError', storage.status >= 500 ? storage.status : 500, storage.status >= 500 ? 'We encountered an internal error. Please try again.' : storage.message);
  return new S3Error(mapped[0], mapped[1], storage.message);
}

export function renderS3Error(error: S3Error, resource: string, requestId: string): string {
  return xmlDocument('Error', { Code: error.code, Message: error.message, Resource: resource, RequestId: requestId }).replace(' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', '');
}
