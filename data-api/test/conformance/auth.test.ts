/**
 * Authentication and authorisation as PostgREST answers them ("Authentication", "Errors"): the
 * role switched to by the JWT, the JWT errors with their WWW-Authenticate headers, 42501 as
 * 401 or 403, and row-level security deciding which rows each caller reads and writes.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOMEOWNER_SUB, JWT_SECRET, signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest, query } from './http.ts';

const NEIGHBOUR_SUB = '22222222-2222-4222-8222-222222222222';
const STRANGER_SUB = '33333333-3333-4333-8333-333333333333';

interface RequestContext {
  role: string;
  claims: Record<string, unknown>;
}

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header, signed with HS256 over the given secret (or unsigned). */
function tokenWithHeader(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | undefined = JWT_SECRET): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${secret === undefined ? '' : createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function invalidToken(message: string) {
  return `Bearer error="invalid_token", error_description="${message}"`;
}

describe('authentication with the default settings', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  const whoami = async (headers: Record<string, string> = {}): Promise<RequestContext> => {
    const response = await server.fetch('/rpc/request_context', { headers });
    expect(response.status).toBe(200);
    return (await response.json()) as RequestContext;
  };
  const failure = (token: string) => server.fetch('/rpc/request_context', { headers: bearer(token) });

  describe('the role of a request', () => {
    it('runs as the anonymous role without a token, with only that role in the claims', async () => {
      expect(await whoami()).toMatchObject({ role: 'anon', claims: { role: 'anon' } });
      const { data } = await server.anon.rpc('request_context');
      expect(data).toMatchObject({ role: 'anon' });
    });

    it("switches to the token's role claim and passes every claim to request.jwt.claims", async () => {
      const { data, error } = await server.homeowner.rpc('request_context');
      expect(error).toBeNull();
      expect(data).toMatchObject({ role: 'authenticated', claims: { role: 'authenticated', sub: HOMEOWNER_SUB, aud: 'authenticated' } });
      expect((await server.service.rpc('request_context')).data).toMatchObject({ role: 'service_role' });
    });

    it('runs a valid token without a role claim as the anonymous role, keeping its claims', async () => {
      expect(await whoami(bearer(signToken({ sub: STRANGER_SUB, exp: now() + 60 })))).toMatchObject({ role: 'anon', claims: { sub: STRANGER_SUB, role: 'anon' } });
    });

    it("accepts the scheme in any case ('bearer')", async () => {
      expect(await whoami({ Authorization: `bearer ${signToken({ role: 'service_role' })}` })).toMatchObject({ role: 'service_role' });
    });

    it('refuses a role that does not exist with 401, changing nothing', async () => {
      const response = await server.fetch('/people', jsonRequest('POST', { name: 'Ghost' }, bearer(signToken({ role: 'ghost' }))));
      expect(await errorOf(response, 401)).toEqual({ code: '22023', message: 'role "ghost" does not exist', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await query(server, `select 1 from api.people where name = 'Ghost'`)).toEqual([]);
    });
  });

  describe('JWT errors (401 with WWW-Authenticate)', () => {
    it('refuses an expired token (PGRST303)', async () => {
      const response = await failure(signToken({ role: 'authenticated', exp: now() - 3600 }));
      expect(await errorOf(response, 401)).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
      expect(response.headers.get('www-authenticate')).toBe(invalidToken('JWT expired'));
    });

    it('tolerates a few seconds of clock skew on exp', async () => {
      expect(await whoami(bearer(signToken({ role: 'authenticated', exp: now() - 5 })))).toMatchObject({ role: 'authenticated' });
    });

    it('refuses a token not valid yet, or issued in the future (PGRST303)', async () => {
      const notYet = await failure(signToken({ role: 'authenticated', nbf: now() + 3600 }));
      expect(await errorOf(notYet, 401)).toMatchObject({ code: 'PGRST303', message: 'JWT not yet valid' });
      const future = await failure(signToken({ role: 'authenticated', iat: now() + 3600 }));
      expect(await errorOf(future, 401)).toMatchObject({ code: 'PGRST303', message: 'JWT issued at future' });
    });

    it('refuses registered claims of the wrong type (PGRST303)', async () => {
      expect(await errorOf(await failure(signToken({ role: 'authenticated', exp: 'tomorrow' })), 401)).toEqual({
        code: 'PGRST303',
        message: "The JWT 'exp' claim must be a number",
        details: null,
        hint: null,
      });
      expect(await errorOf(await failure(signToken({ role: 'authenticated', aud: { not: 'a string' } })), 401)).toEqual({
        code: 'PGRST303',
        message: "The JWT 'aud' claim must be a string or an array of strings",
        details: null,
        hint: null,
      });
    });

    it('refuses a token signed with another secret (PGRST301)', async () => {
      const response = await failure(signToken({ role: 'service_role' }, 'another-secret-of-at-least-32-characters'));
      expect(await errorOf(response, 401)).toEqual({ code: 'PGRST301', message: 'No suitable key or wrong key type', details: 'None of the keys was able to decode the JWT', hint: null });
      expect(response.headers.get('www-authenticate')).toBe(invalidToken('No suitable key or wrong key type'));
    });

    it('refuses a token that is not three parts (PGRST301)', async () => {
      const response = await failure('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9');
      expect(await errorOf(response, 401)).toEqual({ code: 'PGRST301', message: 'Expected 3 parts in JWT; got 2', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe(invalidToken('Expected 3 parts in JWT; got 2'));
    });

    it('refuses an empty bearer token (PGRST301)', async () => {
      const response = await server.fetch('/rpc/request_context', { headers: { Authorization: 'Bearer' } });
      expect(await errorOf(response, 401)).toEqual({ code: 'PGRST301', message: 'Empty JWT is sent in Authorization header', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe(invalidToken('Empty JWT is sent in Authorization header'));
    });

    it("refuses an unsigned token (alg 'none') and another algorithm (PGRST301)", async () => {
      const unsigned = await failure(tokenWithHeader({ alg: 'none', typ: 'JWT' }, { role: 'service_role' }, undefined));
      expect(await errorOf(unsigned, 401)).toMatchObject({ code: 'PGRST301', message: 'Wrong or unsupported encoding algorithm' });
      expect(unsigned.headers.get('www-authenticate')).toBe(invalidToken('Wrong or unsupported encoding algorithm'));

      const rs256 = await failure(tokenWithHeader({ alg: 'RS256', typ: 'JWT' }, { role: 'service_role' }));
      expect(await errorOf(rs256, 401)).toMatchObject({ code: 'PGRST301', message: 'No suitable key or wrong key type' });
    });

    it('refuses a token whose parts are not base64 JSON (PGRST301)', async () => {
      const response = await failure('not.a.token');
      expect((await errorOf(response, 401)).code).toBe('PGRST301');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/);
    });
  });

  describe('privileges (42501)', () => {
    it('answers 401 with WWW-Authenticate: Bearer to the anonymous role', async () => {
      const response = await server.fetch('/profiles');
      expect(await errorOf(response, 401)).toEqual({ code: '42501', message: 'permission denied for table profiles', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 403 without WWW-Authenticate to a signed-in role', async () => {
      // the view is insertable by authenticated, the sequence of its private table is not
      const denied = await server.fetch('/contractors', jsonRequest('POST', { person_id: 1, company_name: 'X' }, bearer(signToken({ role: 'authenticated' }))));
      expect(await errorOf(denied, 403)).toEqual({ code: '42501', message: 'permission denied for sequence contractors_id_seq', details: null, hint: null });
      expect(denied.headers.get('www-authenticate')).toBeNull();
    });
  });

  describe('row-level security on properties', () => {
    const neighbour = () => server.as({ role: 'authenticated', sub: NEIGHBOUR_SUB });
    const stranger = () => server.as({ role: 'authenticated', sub: STRANGER_SUB });

    it('shows each homeowner their own properties, anon none, the service role all', async () => {
      expect((await server.homeowner.from('properties').select('name').order('id')).data).toEqual([{ name: 'Maple House' }, { name: 'Lake Cabin' }]);
      expect((await neighbour().from('properties').select('name')).data).toEqual([{ name: 'City Flat' }]);
      expect((await stranger().from('properties').select('name')).data).toEqual([]);
      expect((await server.anon.from('properties').select('name')).data).toEqual([]);
      expect((await server.service.from('properties').select('id').order('id')).data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    });

    it('lets a homeowner insert a property of their own', async () => {
      const { data, error, status } = await server.homeowner.from('properties').insert({ owner_id: HOMEOWNER_SUB, name: 'Beach Hut', kind: 'cabin' }).select('name,kind');
      expect(error).toBeNull();
      expect(status).toBe(201);
      expect(data).toEqual([{ name: 'Beach Hut', kind: 'cabin' }]);
    });

    it("refuses a property inserted for someone else (403, 42501 of the policy's check)", async () => {
      const { error, status } = await server.homeowner.from('properties').insert({ owner_id: NEIGHBOUR_SUB, name: 'Not Mine' });
      expect(status).toBe(403);
      expect(error).toEqual({ code: '42501', message: 'new row violates row-level security policy for table "properties"', details: null, hint: null });
      expect(await query(server, `select 1 from api.properties where name = 'Not Mine'`)).toEqual([]);
    });

    it("neither updates nor deletes another homeowner's property", async () => {
      const update = await server.homeowner.from('properties').update({ name: 'Taken' }).eq('id', 3).select('id');
      expect(update.error).toBeNull();
      expect(update.data).toEqual([]);
      const remove = await server.fetch('/properties?id=eq.3', { method: 'DELETE', headers: { ...bearer(signToken({ role: 'authenticated', sub: HOMEOWNER_SUB })), Prefer: 'count=exact' } });
      expect(remove.status).toBe(204);
      expect(remove.headers.get('content-range')).toBe('*/0');
      expect(await query(server, 'select name from api.properties where id = 3')).toEqual([{ name: 'City Flat' }]);
    });

    it('refuses moving a property to another owner (the check applies to updates)', async () => {
      const { error, status } = await server.homeowner.from('properties').update({ owner_id: NEIGHBOUR_SUB }).eq('id', 2);
      expect(status).toBe(403);
      expect(error?.code).toBe('42501');
      expect(await query(server, 'select owner_id::text from api.properties where id = 2')).toEqual([{ owner_id: HOMEOWNER_SUB }]);
    });

    it('lets the service role write any row, bypassing RLS', async () => {
      const { data, error } = await server.service.from('properties').update({ address: '5 Rue Centrale, 75001 Paris' }).eq('id', 3).select('address');
      expect(error).toBeNull();
      expect(data).toEqual([{ address: '5 Rue Centrale, 75001 Paris' }]);
    });
  });
});

describe('authentication with a nested role claim and an audience', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ env: { PGRST_JWT_ROLE_CLAIM_KEY: '."https://haven.example/claims".roles[1]', PGRST_JWT_AUD: 'haven' } });
  });
  afterAll(() => server?.close());

  const roleOf = async (claims: Record<string, unknown>) => {
    const response = await server.fetch('/rpc/request_context', { headers: bearer(signToken(claims)) });
    expect(response.status).toBe(200);
    return ((await response.json()) as RequestContext).role;
  };

  it('takes the role at the configured path of the claims', async () => {
    expect(await roleOf({ 'https://haven.example/claims': { roles: ['viewer', 'service_role'] }, aud: 'haven' })).toBe('service_role');
  });

  it('falls back to the anonymous role when the path is absent, ignoring a top-level role', async () => {
    expect(await roleOf({ role: 'service_role', aud: 'haven' })).toBe('anon');
    expect(await roleOf({ 'https://haven.example/claims': { roles: ['viewer'] } })).toBe('anon');
  });

  it('accepts the configured audience, alone or in a list, and a token without aud', async () => {
    const claims = { 'https://haven.example/claims': { roles: ['x', 'authenticated'] } };
    expect(await roleOf({ ...claims, aud: ['other', 'haven'] })).toBe('authenticated');
    expect(await roleOf(claims)).toBe('authenticated');
  });

  it('refuses a token for another audience (PGRST303)', async () => {
    const response = await server.fetch('/rpc/request_context', { headers: bearer(signToken({ role: 'authenticated', aud: 'billing' })) });
    expect(await errorOf(response, 401)).toEqual({ code: 'PGRST303', message: 'JWT not in audience', details: null, hint: null });
    expect(response.headers.get('www-authenticate')).toBe(invalidToken('JWT not in audience'));
  });
});

describe('authentication without an anonymous role', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ env: { PGRST_DB_ANON_ROLE: '' } });
  });
  afterAll(() => server?.close());

  it('refuses requests without a token (401 PGRST302)', async () => {
    const response = await server.fetch('/properties');
    expect(await errorOf(response, 401)).toEqual({ code: 'PGRST302', message: 'Anonymous access is disabled', details: null, hint: null });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const { error, status } = await server.anon.from('properties').select('id');
    expect(status).toBe(401);
    expect(error?.code).toBe('PGRST302');
  });

  it('still serves requests with a token', async () => {
    const { data, error } = await server.homeowner.from('properties').select('id').order('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
