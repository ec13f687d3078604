import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { loadDataApiConfig } from '../config/config.ts';
import { PgrstError } from '../errors.ts';
import { executePlan } from '../execute/execute-plan.ts';
import { createDataApiTestDatabase, resultStatement, TEST_JWT_SECRET, testConfig, testPlan, testPool, type DataApiTestDatabase } from '../execute/test-fixtures.ts';
import { renderError } from '../response/response.ts';
import { authenticate, bearerToken, type AuthConfig } from './authenticate.ts';

const SECRET = 'a-jwt-secret-that-is-at-least-32-characters-long';
const NOW = new Date('2030-01-01T00:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);

const config: AuthConfig = loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET, PGRST_DB_ANON_ROLE: 'anon' } });

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** A JWT with any header, signed with HMAC-SHA256 over `secret` whatever the header says. */
function token(claims: unknown, { secret = SECRET, header = { alg: 'HS256', typ: 'JWT' } as unknown } = {}): string {
  const signingInput = `${b64(header)}.${b64(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

async function rejection(headers: Record<string, string>, with_: AuthConfig = config): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  try {
    await authenticate(headers, with_, NOW);
  } catch (error) {
    if (!(error instanceof PgrstError)) throw error;
    const rendered = renderError(error);
    return { status: rendered.status, body: JSON.parse(rendered.body!), headers: Object.fromEntries(rendered.headers) };
  }
  throw new Error('expected authentication to fail');
}

const invalidToken = (message: string) => `Bearer error="invalid_token", error_description="${message}"`;

describe('authenticate: who the request runs as', () => {
  it('uses the anonymous role without a token, with {"role": anon} as claims', async () => {
    expect(await authenticate({}, config, NOW)).toEqual({ role: 'anon', claims: { role: 'anon' }, claimsJson: '{"role":"anon"}', authenticated: false });
    // another scheme is no bearer token at all
    expect((await authenticate({ authorization: 'Basic dXNlcjpwdw==' }, config, NOW)).role).toBe('anon');
  });

  it("switches to the token's role and keeps every claim", async () => {
    const claims = { sub: 'user-1', role: 'authenticated', exp: now + 3600, app_metadata: { plan: 'pro' } };
    const result = await authenticate(bearer(token(claims)), config, NOW);
    expect(result).toEqual({ role: 'authenticated', claims, claimsJson: JSON.stringify(claims), authenticated: true });
    // the scheme is case-insensitive
    expect((await authenticate({ authorization: `bearer ${token(claims)}` }, config, NOW)).role).toBe('authenticated');
  });

  it('falls back to the anonymous role when the token has no role claim, adding it to the claims', async () => {
    const result = await authenticate(bearer(token({ sub: 'x' })), config, NOW);
    expect(result).toEqual({ role: 'anon', claims: { sub: 'x', role: 'anon' }, claimsJson: '{"sub":"x","role":"anon"}', authenticated: false });
  });

  it('finds the role where jwt-role-claim-key points', async () => {
    const nested = loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET, PGRST_DB_ANON_ROLE: 'anon', PGRST_JWT_ROLE_CLAIM_KEY: '."https://example.com/claims".roles[1]' } });
    const claims = { 'https://example.com/claims': { roles: ['viewer', 'editor'] } };
    const result = await authenticate(bearer(token(claims)), nested, NOW);
    expect(result.role).toBe('editor');
    expect(result.claims).toEqual({ ...claims, role: 'editor' });
  });

  it('passes a role claim that is not a string on as its JSON text, as PostgREST does (Postgres then refuses it)', async () => {
    expect((await authenticate(bearer(token({ role: 42 })), config, NOW)).role).toBe('42');
    expect((await authenticate(bearer(token({ role: ['a', 'b'] })), config, NOW)).role).toBe('["a","b"]');
  });

  it('accepts a base64 secret and tolerates 30 seconds of clock skew', async () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef\u0000\u00ff', 'latin1');
    const base64 = loadDataApiConfig({ env: { PGRST_JWT_SECRET: bytes.toString('base64'), PGRST_JWT_SECRET_IS_BASE64: 'true', PGRST_DB_ANON_ROLE: 'anon' } });
    const signingInput = `${b64({ alg: 'HS256' })}.${b64({ role: 'member', exp: now - 20, nbf: now + 20, iat: now + 20 })}`;
    const signed = `${signingInput}.${createHmac('sha256', bytes).update(signingInput).digest('base64url')}`;
    expect((await authenticate(bearer(signed), base64, NOW)).role).toBe('member');
  });

  it('accepts the configured audience, in a string or in an array', async () => {
    const audience = loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET, PGRST_DB_ANON_ROLE: 'anon', PGRST_JWT_AUD: 'my-api' } });
    expect((await authenticate(bearer(token({ role: 'member', aud: 'my-api' })), audience, NOW)).role).toBe('member');
    expect((await authenticate(bearer(token({ role: 'member', aud: ['other', 'my-api'] })), audience, NOW)).role).toBe('member');
    expect((await authenticate(bearer(token({ role: 'member', aud: 'anything' })), config, NOW)).role).toBe('member');
  });
});

describe("authenticate: PostgREST's JWT errors", () => {
  it('PGRST302 without a token when db-anon-role is not set', async () => {
    const closed = loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET } });
    expect(await rejection({}, closed)).toEqual({
      status: 401,
      body: { code: 'PGRST302', details: null, hint: null, message: 'Anonymous access is disabled' },
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': 'Bearer' },
    });
  });

  it('PGRST300 when a token arrives and no jwt-secret is configured', async () => {
    const noSecret = loadDataApiConfig({ env: { PGRST_DB_ANON_ROLE: 'anon' } });
    expect(await rejection(bearer(token({ role: 'member' })), noSecret)).toEqual({
      status: 500,
      body: { code: 'PGRST300', details: null, hint: null, message: 'Server lacks JWT secret' },
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
  });

  it.each([
    ['an empty bearer token', 'Bearer', 'Empty JWT is sent in Authorization header', null],
    ['a token that is not three parts', 'Bearer abc.def', 'Expected 3 parts in JWT; got 2', null],
    ['one part', 'Bearer not-a-jwt', 'Expected 3 parts in JWT; got 1', null],
    ['three parts of garbage', 'Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah', 'JWT cryptographic operation failed', null],
    ['a wrong signature', `Bearer ${token({ role: 'member' }, { secret: 'another-secret-of-at-least-32-characters!' })}`, 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT'],
    ['a tampered payload', `Bearer ${(() => { const [h, , s] = token({ role: 'anon' }).split('.'); return `${h}.${b64({ role: 'admin' })}.${s}`; })()}`, 'No suitable key or wrong key type', 'None of the keys was able to decode the JWT'],
    ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ role: 'admin' })}.`, 'Wrong or unsupported encoding algorithm', "JWT is unsecured but expected 'alg' was not 'none'"],
    ['HS512', `Bearer ${token({ role: 'member' }, { header: { alg: 'HS512', typ: 'JWT' } })}`, 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT'],
    ['RS256', `Bearer ${token({ role: 'member' }, { header: { alg: 'RS256', typ: 'JWT' } })}`, 'No suitable key or wrong key type', 'No suitable key was found to decode the JWT'],
  ])('PGRST301 for %s', async (_case, authorization, message, details) => {
    expect(await rejection({ authorization })).toEqual({
      status: 401,
      body: { code: 'PGRST301', details, hint: null, message },
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': invalidToken(message) },
    });
  });

  it.each([
    ['an expired token', { role: 'member', exp: now - 31 }, 'JWT expired'],
    ['a token not valid yet', { role: 'member', nbf: now + 31 }, 'JWT not yet valid'],
    ['a token issued in the future', { role: 'member', iat: now + 31 }, 'JWT issued at future'],
    ['an exp that is not a number', { role: 'member', exp: 'tomorrow' }, "The JWT 'exp' claim must be a number"],
    ['an aud that is not a string', { role: 'member', aud: 42 }, "The JWT 'aud' claim must be a string or an array of strings"],
    ['a payload that is not an object', ['role', 'member'], 'Parsing claims failed'],
    ['a payload that is not JSON', 'role=member', 'Parsing claims failed'],
  ])('PGRST303 for %s', async (_case, claims, message) => {
    expect(await rejection(bearer(token(claims)))).toEqual({
      status: 401,
      body: { code: 'PGRST303', details: null, hint: null, message },
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'WWW-Authenticate': invalidToken(message.replaceAll('"', "'")) },
    });
  });

  it('PGRST303 for an audience other than jwt-aud', async () => {
    const audience = loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET, PGRST_DB_ANON_ROLE: 'anon', PGRST_JWT_AUD: 'my-api' } });
    for (const aud of ['other-api', ['a', 'b']]) {
      expect((await rejection(bearer(token({ role: 'member', aud })), audience)).body).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT not in audience' });
    }
  });

  it('reads the bearer token like PostgREST', () => {
    expect(bearerToken({})).toBeUndefined();
    expect(bearerToken({ authorization: 'Basic abc' })).toBeUndefined();
    expect(bearerToken({ authorization: 'Bearer' })).toBe('');
    expect(bearerToken({ authorization: 'BEARER   a.b.c' })).toBe('a.b.c');
    expect(bearerToken({ authorization: ['Bearer x.y.z'] })).toBe('x.y.z');
  });
});

describe('authenticate with jwt-secret as a JWK Set (asymmetric signing keys)', () => {
  const setUp = async () => {
    const es = await generateKeyPair('ES256', { extractable: true });
    const rs = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('ES256', { extractable: true });
    const jwks = {
      keys: [
        { kty: 'oct', k: Buffer.from(SECRET).toString('base64url'), alg: 'HS256' },
        { ...(await exportJWK(es.publicKey)), kid: 'es-key', alg: 'ES256', use: 'sig' },
        { ...(await exportJWK(rs.publicKey)), kid: 'rs-key', alg: 'RS256', use: 'sig' },
      ],
    };
    const withKeys = loadDataApiConfig({ env: { PGRST_JWT_SECRET: JSON.stringify(jwks), PGRST_DB_ANON_ROLE: 'anon' } });
    const sign = (alg: 'ES256' | 'RS256', key: CryptoKey, kid: string | undefined) =>
      new SignJWT({ role: 'member', sub: 'u1' }).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).sign(key);
    return { withKeys, sign, es, rs, other };
  };

  it('verifies ES256 and RS256 tokens by their kid, and HS256 tokens with the oct key', async () => {
    const { withKeys, sign, es, rs } = await setUp();
    expect((await authenticate(bearer(await sign('ES256', es.privateKey, 'es-key')), withKeys, NOW)).claims).toMatchObject({ role: 'member', sub: 'u1' });
    expect((await authenticate(bearer(await sign('RS256', rs.privateKey, 'rs-key')), withKeys, NOW)).role).toBe('member');
    // without a kid every key of the algorithm is tried
    expect((await authenticate(bearer(await sign('ES256', es.privateKey, undefined)), withKeys, NOW)).role).toBe('member');
    expect((await authenticate(bearer(token({ role: 'member' })), withKeys, NOW)).role).toBe('member');
  });

  it('refuses a token signed by a key not in the set, or naming a kid it does not have', async () => {
    const { withKeys, sign, es, other } = await setUp();
    expect((await rejection(bearer(await sign('ES256', other.privateKey, 'es-key')), withKeys)).body).toMatchObject({
      code: 'PGRST301',
      details: 'None of the keys was able to decode the JWT',
    });
    expect((await rejection(bearer(await sign('ES256', es.privateKey, 'unknown-kid')), withKeys)).body).toMatchObject({
      code: 'PGRST301',
      details: 'No suitable key was found to decode the JWT',
    });
    expect((await rejection(bearer(token({ role: 'member' }, { secret: 'another-secret-of-at-least-32-characters!' })), withKeys)).body).toMatchObject({ code: 'PGRST301' });
  });
});

describe('authenticate in the database', () => {
  let database: DataApiTestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createDataApiTestDatabase('auth');
    pool = testPool(database.authenticatorUrl);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function run(headers: Record<string, string>, body: string) {
    const dbConfig = testConfig(database);
    const auth = await authenticate(headers, dbConfig);
    const result = await executePlan(pool, testPlan(resultStatement({ body })), {
      auth,
      method: 'GET',
      path: '/whoami',
      headers: {},
      cookies: {},
      schema: 'api',
      settings: dbConfig,
    });
    return result.body;
  }

  const signed = (claims: Record<string, unknown>) => ({ authorization: `Bearer ${token(claims, { secret: TEST_JWT_SECRET })}` });

  it("switches to the token's role: select current_user", async () => {
    expect(await run({}, 'current_user')).toBe(database.anon);
    expect(await run(signed({ role: database.member }), 'current_user')).toBe(database.member);
  });

  it("makes the claims visible through current_setting('request.jwt.claims')", async () => {
    const body = await run(signed({ role: database.member, sub: 'u-42', email: 'a@example.com' }), "current_setting('request.jwt.claims')");
    expect(JSON.parse(body!)).toEqual({ role: database.member, sub: 'u-42', email: 'a@example.com' });
    expect(JSON.parse((await run({}, "current_setting('request.jwt.claims')"))!)).toEqual({ role: database.anon });
  });

  it('refuses a role the authenticator may not switch to, or one that does not exist', async () => {
    await expect(run(signed({ role: database.stranger }), 'current_user')).rejects.toMatchObject({ status: 403, code: '42501' });
    await expect(run(signed({ role: 42 }), 'current_user')).rejects.toMatchObject({ code: '22023', message: 'role "42" does not exist' });
  });
});
