import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../auth/authenticate.ts';
import { loadDataApiConfig } from '../config/config.ts';
import { PgrstError } from '../errors.ts';
import { authenticateCached } from './verified-tokens.ts';

const SECRET = 'a-jwt-secret-that-is-at-least-32-characters-long';
const NOW = Date.parse('2030-01-01T00:00:00Z');
const nowSeconds = NOW / 1000;

const newConfig = (env: Record<string, string> = {}): AuthConfig => loadDataApiConfig({ env: { PGRST_JWT_SECRET: SECRET, PGRST_DB_ANON_ROLE: 'anon', ...env } });

function bearer(claims: Record<string, unknown>, secret = SECRET): { authorization: string } {
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return { authorization: `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}` };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PgrstError) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('authenticateCached: verified tokens are remembered, never failures', () => {
  it('answers a token seen before with the same result, and without a token as authenticate does', async () => {
    const config = newConfig();
    const headers = bearer({ sub: 'u1', role: 'authenticated', exp: nowSeconds + 3600 });
    const first = await authenticateCached(headers, config, NOW);
    expect(first).toMatchObject({ role: 'authenticated', authenticated: true });
    expect(await authenticateCached(headers, config, NOW + 1000)).toBe(first);
    expect(await authenticateCached({}, config, NOW)).toMatchObject({ role: 'anon', claimsJson: '{"role":"anon"}' });
  });

  it('verifies the token again once it expires, so an expired token is refused as before', async () => {
    const config = newConfig();
    const exp = nowSeconds + 60;
    const headers = bearer({ role: 'authenticated', exp });
    const first = await authenticateCached(headers, config, NOW);
    expect(await authenticateCached(headers, config, NOW + 59_000)).toBe(first);
    // within PostgREST's 30 s of clock skew it verifies again, and still passes
    const again = await authenticateCached(headers, config, (exp + 10) * 1000);
    expect(again).not.toBe(first);
    expect(again.role).toBe('authenticated');
    expect(await failure(authenticateCached(headers, config, (exp + 31) * 1000))).toBe('PGRST303 JWT expired');
  });

  it('checks failing tokens every time, and a forged signature is not the remembered token', async () => {
    const config = newConfig();
    const good = bearer({ role: 'authenticated', exp: nowSeconds + 3600 });
    await authenticateCached(good, config, NOW);
    const forged = bearer({ role: 'authenticated', exp: nowSeconds + 3600 }, 'another-secret-of-at-least-32-characters!!');
    expect(await failure(authenticateCached(forged, config, NOW))).toBe('PGRST301 No suitable key or wrong key type');
    expect(await failure(authenticateCached(forged, config, NOW))).toBe('PGRST301 No suitable key or wrong key type');
    const early = bearer({ role: 'authenticated', nbf: nowSeconds + 3600 });
    expect(await failure(authenticateCached(early, config, NOW))).toBe('PGRST303 JWT not yet valid');
  });

  it('starts afresh with a new config: another audience refuses a token the old one accepted', async () => {
    const headers = bearer({ role: 'authenticated', aud: 'one', exp: nowSeconds + 3600 });
    expect((await authenticateCached(headers, newConfig({ PGRST_JWT_AUD: 'one' }), NOW)).role).toBe('authenticated');
    expect(await failure(authenticateCached(headers, newConfig({ PGRST_JWT_AUD: 'two' }), NOW))).toBe('PGRST303 JWT not in audience');
  });
});
