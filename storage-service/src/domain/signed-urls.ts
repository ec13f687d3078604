import { signHs256, verifyHs256 } from '@launchdb/common';
import { StorageErrors } from '../errors.ts';

/** What a signed download URL's token carries, as Supabase signs it: `{url: "<bucket>/<name>"}`. */
export interface DownloadGrant {
  url: string;
  /** Image transformations baked into the URL (render/image/sign), as a query string. */
  transformations?: string;
  exp: number;
}

/** What a signed upload URL's token carries: one name, who uploads, whether it may overwrite. */
export interface UploadGrant {
  url: string;
  owner: string | null;
  upsert: boolean;
}

export function signedPath(bucketId: string, name: string): string {
  return `${bucketId}/${name}`;
}

export function signDownloadGrant(secret: string, url: string, expiresInSeconds: number, transformations?: string): Promise<string> {
  return signHs256({ url, ...(transformations ? { transformations } : {}) }, { secret, expiresInSeconds });
}

export function signUploadGrant(secret: string, grant: UploadGrant, expiresInSeconds: number): Promise<string> {
  return signHs256({ url: grant.url, owner: grant.owner, upsert: grant.upsert }, { secret, expiresInSeconds });
}

async function verify(secret: string, token: string, expectedUrl: string): Promise<Record<string, unknown>> {
  const verified = await verifyHs256(token, secret);
  if (!verified.ok) throw StorageErrors.invalidJwt(verified.reason === 'expired' ? 'jwt expired' : verified.message);
  const claims = verified.claims as Record<string, unknown>;
  // a token for another object (or one whose path was altered in the URL) grants nothing here
  if (claims.url !== expectedUrl) throw StorageErrors.invalidSignature();
  return claims;
}

export async function verifyDownloadGrant(secret: string, token: string, expectedUrl: string): Promise<DownloadGrant> {
  const claims = await verify(secret, token, expectedUrl);
  return {
    url: expectedUrl,
    exp: typeof claims.exp === 'number' ? claims.exp : 0,
    ...(typeof claims.transformations === 'string' ? { transformations: claims.transformations } : {}),
  };
}

export async function verifyUploadGrant(secret: string, token: string, expectedUrl: string): Promise<UploadGrant> {
  const claims = await verify(secret, token, expectedUrl);
  // a download token has no upsert claim: it must not open the upload route
  if (typeof claims.upsert !== 'boolean') throw StorageErrors.invalidSignature();
  return { url: expectedUrl, owner: typeof claims.owner === 'string' ? claims.owner : null, upsert: claims.upsert };
}
