/**
 * Errors as PostgREST v12 reports them ("Errors"): every failure is `{code, message, details,
 * hint}` as application/json; Postgres' SQLSTATE picks the HTTP status by PostgREST's table,
 * `RAISE … 'PTxyz'` picks status xyz, `RAISE SQLSTATE 'PGRST'` sets status, headers and body,
 * and response.status / response.headers that are not valid are PostgREST's 500s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { bearer, errorOf, jsonRequest } from './http.ts';

const FAILING_FUNCTIONS = `
create function api.fail_with(code text, message text default 'it failed') returns void language plpgsql as $$
begin
  raise exception using errcode = fail_with.code, message = fail_with.message;
end
$$;

create function api.raise_pgrst_with(message text, detail text default null) returns void language plpgsql as $$
begin
  if raise_pgrst_with.detail is null then
    raise sqlstate 'PGRST' using message = raise_pgrst_with.message;
  end if;
  raise sqlstate 'PGRST' using message = raise_pgrst_with.message, detail = raise_pgrst_with.detail;
end
$$;

create function api.set_response(status text default null, headers text default null) returns text language plpgsql as $$
begin
  if set_response.status is not null then perform set_config('response.status', set_response.status, true); end if;
  if set_response.headers is not null then perform set_config('response.headers', set_response.headers, true); end if;
  return 'done';
end
$$;
`;

/** PostgREST's table of SQLSTATE → HTTP status, for the anonymous role. */
const STATUS_OF_SQLSTATE: Array<[code: string, status: number]> = [
  ['08000', 503],
  ['09000', 500],
  ['0L000', 403],
  ['0P000', 403],
  ['21000', 500],
  ['22012', 400],
  ['23503', 409],
  ['23505', 409],
  ['23514', 400],
  ['25006', 405],
  ['25000', 500],
  ['28000', 403],
  ['2D000', 500],
  ['38000', 500],
  ['39000', 500],
  ['3B000', 500],
  ['40001', 500],
  ['42501', 401],
  ['42883', 404],
  ['42P01', 404],
  ['42P17', 500],
  ['42703', 400],
  ['53000', 503],
  ['53400', 500],
  ['54000', 500],
  ['55000', 500],
  ['57014', 500],
  ['58000', 500],
  ['F0000', 500],
  ['HV000', 500],
  ['P0001', 400],
  ['P0002', 500],
  ['XX000', 500],
  ['PT402', 402],
  ['PT418', 418],
  ['PT503', 503],
  ['ZZ999', 400],
];

describe('errors', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ extraSql: FAILING_FUNCTIONS });
  });
  afterAll(() => server?.close());

  const call = (fn: string, args: Record<string, unknown>, headers: Record<string, string> = {}) => server.fetch(`/rpc/${fn}`, jsonRequest('POST', args, headers));

  describe('SQLSTATE to HTTP status', () => {
    it.each(STATUS_OF_SQLSTATE)('answers SQLSTATE %s with %i', async (code, status) => {
      const response = await call('fail_with', { code, message: `failure ${code}` });
      expect(await errorOf(response, status)).toEqual({ code, message: `failure ${code}`, details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe(status === 401 ? 'Bearer' : null);
    });

    it('answers 42501 with 403 and no WWW-Authenticate to a signed-in role', async () => {
      const response = await call('fail_with', { code: '42501', message: 'not yours' }, bearer(signToken({ role: 'authenticated' })));
      expect(await errorOf(response, 403)).toMatchObject({ code: '42501', message: 'not yours' });
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it("answers 400 to pg-safeupdate's cardinality violation", async () => {
      const response = await call('fail_with', { code: '21000', message: 'DELETE requires a WHERE clause' });
      expect((await errorOf(response, 400)).code).toBe('21000');
    });

    it('answers 401 when the role of the token does not exist (22023)', async () => {
      const response = await server.fetch('/people', { headers: bearer(signToken({ role: 'nobody_here' })) });
      expect(await errorOf(response, 401)).toEqual({ code: '22023', message: 'role "nobody_here" does not exist', details: null, hint: null });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect((await errorOf(await call('fail_with', { code: '22023', message: 'bad parameter' }), 400)).code).toBe('22023');
    });

    it('passes detail and hint through, and a HEAD gets the status without a body', async () => {
      const response = await server.fetch('/tasks', jsonRequest('POST', { property_id: 1, title: '', created_by: 1 }, bearer(signToken({ role: 'authenticated' }))));
      const error = await errorOf(response, 400);
      expect(error.code).toBe('23514');
      expect(error.details).toMatch(/^Failing row contains \(/);

      const head = await server.fetch('/profiles', { method: 'HEAD' });
      expect(head.status).toBe(401);
      expect(await head.text()).toBe('');
    });
  });

  describe("RAISE SQLSTATE 'PGRST'", () => {
    it('sets the status, the headers and the whole body', async () => {
      const response = await call('raise_pgrst_with', {
        message: JSON.stringify({ code: 'HAVEN42', message: 'Quota reached', details: 'Three homes at most', hint: 'Upgrade' }),
        detail: JSON.stringify({ status: 429, headers: { 'Retry-After': '3600', 'X-Quota': 'homes' } }),
      });
      expect(await errorOf(response, 429)).toEqual({ code: 'HAVEN42', message: 'Quota reached', details: 'Three homes at most', hint: 'Upgrade' });
      expect(response.headers.get('retry-after')).toBe('3600');
      expect(response.headers.get('x-quota')).toBe('homes');
    });

    it('leaves details and hint null when the message omits them', async () => {
      const response = await call('raise_pgrst_with', { message: '{"code":"HAVEN43","message":"Nope"}', detail: '{"status":422,"headers":{}}' });
      expect(await errorOf(response, 422)).toEqual({ code: 'HAVEN43', message: 'Nope', details: null, hint: null });
    });

    it('answers 500 PGRST121 for a message that is not the JSON it must be', async () => {
      expect(await errorOf(await call('raise_pgrst_with', { message: 'plain text', detail: '{"status":400,"headers":{}}' }), 500)).toEqual({
        code: 'PGRST121',
        message: 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
        details: "Invalid JSON value for MESSAGE: 'plain text'",
        hint: "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
      });
    });

    it('answers 500 PGRST121 for a missing or invalid detail', async () => {
      const detailHint = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";
      expect(await errorOf(await call('raise_pgrst_with', { message: '{"code":"X","message":"Y"}' }), 500)).toEqual({
        code: 'PGRST121',
        message: 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
        details: 'DETAIL is missing in the RAISE statement',
        hint: detailHint,
      });
      expect(await errorOf(await call('raise_pgrst_with', { message: '{"code":"X","message":"Y"}', detail: '{"status":"teapot"}' }), 500)).toEqual({
        code: 'PGRST121',
        message: 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
        details: `Invalid JSON value for DETAIL: '{"status":"teapot"}'`,
        hint: detailHint,
      });
    });
  });

  describe('response.status and response.headers', () => {
    it('answers with the status and headers SQL set', async () => {
      const response = await call('set_response', { status: '201', headers: '[{"Set-Cookie": "a=1"}, {"Set-Cookie": "b=2"}, {"Content-Type": "text/plain; charset=utf-8"}]' });
      expect(response.status).toBe(201);
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toBe('"done"');
    });

    it('answers 500 PGRST111 for response.headers that are not an array of one-key objects', async () => {
      for (const headers of ['{"X-Not": "an array"}', '[{"A": "1", "B": "2"}]', '[{"A": 1}]', 'not json']) {
        expect(await errorOf(await call('set_response', { headers }), 500), headers).toEqual({
          code: 'PGRST111',
          message: 'response.headers guc must be a JSON array composed of objects with a single key and a string value',
          details: null,
          hint: null,
        });
      }
    });

    it('answers 500 PGRST112 for a response.status that is not a status code', async () => {
      expect(await errorOf(await call('set_response', { status: 'teapot' }), 500)).toEqual({
        code: 'PGRST112',
        message: 'response.status guc must be a valid status code',
        details: null,
        hint: null,
      });
    });
  });

  describe('request errors', () => {
    it('answers 404 PGRST125 for a path deeper than a relation or a function', async () => {
      for (const path of ['/people/1', '/rpc/add/extra', '/people/']) {
        expect(await errorOf(await server.fetch(path), 404), path).toEqual({ code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null });
      }
    });

    it('answers 405 PGRST117 for a method PostgREST does not serve', async () => {
      // PROPFIND is an HTTP method Node knows, FOO one its parser refuses
      for (const method of ['PROPFIND', 'FOO']) {
        const response = await server.fetch('/people', { method });
        expect(await errorOf(response, 405)).toEqual({ code: 'PGRST117', message: `Unsupported HTTP method: ${method}`, details: null, hint: null });
      }
    });

    it('answers 404 PGRST205 with a hint for a table that is not there', async () => {
      expect(await errorOf(await server.fetch('/peopl'), 404)).toEqual({
        code: 'PGRST205',
        message: "Could not find the table 'api.peopl' in the schema cache",
        details: null,
        hint: "Perhaps you meant the table 'api.people'",
      });
    });

    it('answers 404 PGRST202 for a text body no function takes whole', async () => {
      const response = await server.fetch('/rpc/add', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'one and two' });
      expect(await errorOf(response, 404)).toEqual({
        code: 'PGRST202',
        message: 'Could not find the function api.add in the schema cache',
        details: 'Searched for the function api.add with a single unnamed text parameter, but no matches were found in the schema cache.',
        hint: null,
      });
    });

    it('answers 404 PGRST202 with params=single-object when no function takes one json parameter', async () => {
      const response = await call('add', { a: 1, b: 2 }, { Prefer: 'params=single-object' });
      expect(await errorOf(response, 404)).toEqual({
        code: 'PGRST202',
        message: 'Could not find the function api.add in the schema cache',
        details: 'Searched for the function api.add with a single json/jsonb parameter, but no matches were found in the schema cache.',
        hint: null,
      });
    });
  });
});
