import { randomUUID, webcrypto } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type pg from 'pg';
import { projectSecretContext } from './projects.ts';
import type { SecretBox } from './secrets.ts';

/**
 * A project's asymmetric JWT signing keys (platform.project_signing_keys): the key in use signs
 * the auth service's access tokens, and every key not revoked is published (JWKS) and verifies.
 * Without a key in use the project signs with its HS256 secret; tokens signed with that secret
 * (the anon and service keys among them) verify either way.
 */

export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const SIGNING_KEY_STATUSES = ['in_use', 'standby', 'previously_used', 'revoked'] as const;
export type SigningKeyStatus = (typeof SIGNING_KEY_STATUSES)[number];

export interface SigningKeyRecord {
  id: string;
  algorithm: SigningAlgorithm;
  status: SigningKeyStatus;
  /** The public key as a JWK, with `kid`, `alg` and `use: "sig"`. */
  public_jwk: JWK;
  created_at: Date;
  updated_at: Date;
}

/** What a service needs of a project's keys: the private key it signs with (auth only) and the public keys it trusts. */
export interface ProjectSigningKeys {
  /** The key in use, private part included; undefined: tokens are signed HS256 with the project's secret. */
  current: { kid: string; algorithm: SigningAlgorithm; privateJwk: JWK } | undefined;
  /** Public keys in use, standing by or previously used: the project's JWKS. */
  jwks: JWK[];
}

export const NO_SIGNING_KEYS: ProjectSigningKeys = Object.freeze({ current: undefined, jwks: [] }) as ProjectSigningKeys;

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

function keyContext(projectId: string, kid: string): string {
  return projectSecretContext(projectId, `signing_key:${kid}`);
}

/** A new key pair: its public JWK (kid, alg, use) and the private JWK sealed under the master key. */
export async function generateSigningKey(secrets: SecretBox, projectId: string, algorithm: SigningAlgorithm): Promise<{ id: string; publicJwk: JWK; privateKeyCiphertext: string }> {
  const id = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true, ...(algorithm === 'RS256' ? { modulusLength: 2048 } : {}) });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: id, alg: algorithm, use: 'sig', key_ops: ['verify'] };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid: id, alg: algorithm };
  return { id, publicJwk, privateKeyCiphertext: secrets.encrypt(JSON.stringify(privateJwk), keyContext(projectId, id)) };
}

export async function listSigningKeys(db: Queryable, projectId: string): Promise<SigningKeyRecord[]> {
  const { rows } = await db.query<SigningKeyRecord>(
    'select id, algorithm, status, public_jwk, created_at, updated_at from platform.project_signing_keys where project_id = $1 order by created_at',
    [projectId],
  );
  return rows;
}

/** The keys a project's services use now; the private key of the key in use is decrypted. */
export async function readProjectSigningKeys(db: Queryable, secrets: SecretBox, projectId: string): Promise<ProjectSigningKeys> {
  const { rows } = await db.query<{ id: string; algorithm: SigningAlgorithm; status: SigningKeyStatus; public_jwk: JWK; private_key_ciphertext: string }>(
    `select id, algorithm, status, public_jwk, case when status = 'in_use' then private_key_ciphertext end as private_key_ciphertext
       from platform.project_signing_keys where project_id = $1 and status <> 'revoked' order by created_at`,
    [projectId],
  );
  if (rows.length === 0) return NO_SIGNING_KEYS;
  const inUse = rows.find((row) => row.status === 'in_use');
  return {
    current: inUse === undefined ? undefined : { kid: inUse.id, algorithm: inUse.algorithm, privateJwk: JSON.parse(secrets.decrypt(inUse.private_key_ciphertext, keyContext(projectId, inUse.id))) as JWK },
    // the key in use first, as clients that take the first key expect
    jwks: [...rows].sort((a, b) => rank(a.status) - rank(b.status)).map((row) => row.public_jwk),
  };
}

function rank(status: SigningKeyStatus): number {
  return SIGNING_KEY_STATUSES.indexOf(status);
}

/**
 * The value of a data API's `jwt-secret` for the project: its HS256 secret alone while it has no
 * asymmetric keys (as before), otherwise a JWK Set (PostgREST's form) of that secret as an `oct`
 * key and the public keys.
 */
export function dataApiJwtSecret(jwtSecret: string, keys: Pick<ProjectSigningKeys, 'jwks'>): string {
  if (keys.jwks.length === 0) return jwtSecret;
  const oct: JWK = { kty: 'oct', k: Buffer.from(jwtSecret, 'utf8').toString('base64url'), alg: 'HS256' };
  return JSON.stringify({ keys: [oct, ...keys.jwks] });
}

const MAX_CACHED_KEYS = 10_000;
const imported = new Map<string, Promise<webcrypto.CryptoKey | Uint8Array>>();

/** A JWK imported once (keyed by its JSON): importing costs more than a signature check. */
export function importCachedJwk(jwk: JWK, algorithm: string): Promise<webcrypto.CryptoKey | Uint8Array> {
  const cacheKey = `${algorithm}|${JSON.stringify(jwk)}`;
  let key = imported.get(cacheKey);
  if (key === undefined) {
    if (imported.size >= MAX_CACHED_KEYS) imported.clear();
    key = importJWK(jwk, algorithm) as Promise<webcrypto.CryptoKey | Uint8Array>;
    key.catch(() => imported.delete(cacheKey));
    imported.set(cacheKey, key);
  }
  return key;
}

export type ProjectJwtVerification = { ok: true; claims: JWTPayload } | { ok: false; expired: boolean; reason: string };

/**
 * A token of the project: HS256 with its secret, or ES256/RS256 with the published key its `kid`
 * names. Never throws.
 */
export async function verifyProjectJwt(token: string, keys: { jwtSecret: string | Uint8Array; jwks: JWK[] }, hmacKey?: webcrypto.CryptoKey): Promise<ProjectJwtVerification> {
  try {
    const header = decodeProtectedHeader(token);
    let key: webcrypto.CryptoKey | Uint8Array;
    if (header.alg === 'HS256') {
      key = hmacKey ?? (typeof keys.jwtSecret === 'string' ? new TextEncoder().encode(keys.jwtSecret) : keys.jwtSecret);
    } else if (header.alg === 'ES256' || header.alg === 'RS256') {
      const jwk = keys.jwks.find((candidate) => candidate.kid === header.kid && candidate.alg === header.alg);
      if (jwk === undefined) return { ok: false, expired: false, reason: 'no key matches the kid of the token' };
      key = await importCachedJwk(jwk, header.alg);
    } else {
      return { ok: false, expired: false, reason: `signing method ${String(header.alg)} is invalid` };
    }
    const { payload } = await jwtVerify(token, key, { algorithms: [header.alg] });
    return { ok: true, claims: payload };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { ok: false, expired: true, reason: 'token is expired' };
    return { ok: false, expired: false, reason: 'signature is invalid' };
  }
}
