import { describe, expect, it } from 'vitest';
import { Errors } from '../errors.ts';
import type { ExecutionResult } from '../execute/execute-plan.ts';
import { testPlan } from '../execute/test-fixtures.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import { raw } from '../sql/fragment.ts';
import { parseResponseHeadersGuc, parseResponseStatusGuc } from './guc.ts';
import { buildResponse, contentRange, renderError } from './response.ts';

const plan = (overrides: Partial<ExecutionPlan> = {}): ExecutionPlan => testPlan(raw('select'), overrides);

function result(overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  return {
    body: '[{"id":1}]',
    pageTotal: 1,
    totalResultSet: undefined,
    location: null,
    inserted: undefined,
    responseStatus: undefined,
    responseHeaders: [],
    committed: true,
    ...overrides,
  };
}

const respond = (p: Partial<ExecutionPlan>, r: Partial<ExecutionResult>, contentProfile?: string) => buildResponse(plan(p), result(r), { contentProfile });
const header = (response: { headers: Array<[string, string]> }, name: string) =>
  response.headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);

describe('read responses', () => {
  it('answers 200 with Content-Range n-m/* and the body untouched when nothing was counted', () => {
    const response = respond({}, { body: '[1, 2,   3]', pageTotal: 3 });
    expect(response).toEqual({
      status: 200,
      headers: [
        ['Content-Range', '0-2/*'],
        ['Content-Type', 'application/json; charset=utf-8'],
      ],
      body: '[1, 2,   3]',
    });
  });

  it('answers 200 even for a Range request when the total is unknown, as PostgREST does', () => {
    const response = respond({ range: { offset: 10, limit: 10 } }, { pageTotal: 10 });
    expect(response.status).toBe(200);
    expect(header(response, 'Content-Range')).toEqual(['10-19/*']);
  });

  it('answers 206 Partial Content for a page of a known larger total', () => {
    const response = respond({ count: 'exact', range: { offset: 0, limit: 10 } }, { pageTotal: 10, totalResultSet: 120 });
    expect(response.status).toBe(206);
    expect(header(response, 'Content-Range')).toEqual(['0-9/120']);
    const middle = respond({ count: 'exact', range: { offset: 110, limit: 10 } }, { pageTotal: 10, totalResultSet: 120 });
    expect([middle.status, header(middle, 'Content-Range')[0]]).toEqual([206, '110-119/120']);
  });

  it('answers 200 when the page holds the whole known total', () => {
    const response = respond({ count: 'exact' }, { pageTotal: 10, totalResultSet: 10 });
    expect([response.status, header(response, 'Content-Range')[0]]).toEqual([200, '0-9/10']);
  });

  it('writes */0 and */* for empty results', () => {
    expect(header(respond({ count: 'exact' }, { body: '[]', pageTotal: 0, totalResultSet: 0 }), 'Content-Range')).toEqual(['*/0']);
    expect(header(respond({}, { body: '[]', pageTotal: 0 }), 'Content-Range')).toEqual(['*/*']);
  });

  it('answers 416 PGRST103 when the offset is beyond the known total', () => {
    const response = respond({ count: 'exact', range: { offset: 200, limit: 10 } }, { body: '[]', pageTotal: 0, totalResultSet: 120 });
    expect(response.status).toBe(416);
    expect(header(response, 'Content-Range')).toEqual(['*/120']);
    expect(header(response, 'Content-Type')).toEqual(['application/json; charset=utf-8']);
    expect(JSON.parse(response.body!)).toEqual({
      code: 'PGRST103',
      details: 'An offset of 200 was requested, but there are only 120 rows.',
      hint: null,
      message: 'Requested range not satisfiable',
    });
  });

  it('sends the headers but no body for HEAD', () => {
    const response = respond({ omitBody: true, count: 'exact' }, { pageTotal: 5, totalResultSet: 5 });
    expect(response).toMatchObject({ status: 200, body: null });
    expect(header(response, 'Content-Range')).toEqual(['0-4/5']);
    expect(header(response, 'Content-Type')).toEqual(['application/json; charset=utf-8']);
  });

  it('names the media type with its charset, the profile and the applied preferences', () => {
    const response = respond({ mediaType: 'text/csv', count: 'exact', preferenceApplied: ['count=exact', 'tx=rollback'] }, { body: 'id\n1', totalResultSet: 1 }, 'api');
    expect(header(response, 'Content-Type')).toEqual(['text/csv; charset=utf-8']);
    expect(header(response, 'Content-Profile')).toEqual(['api']);
    expect(header(response, 'Preference-Applied')).toEqual(['count=exact, tx=rollback']);
    expect(header(respond({ mediaType: 'application/octet-stream' }, {}), 'Content-Type')).toEqual(['application/octet-stream']);
    expect(header(respond({ mediaType: 'application/vnd.pgrst.object+json', singular: true }, { body: '{"id":1}' }), 'Content-Type')).toEqual([
      'application/vnd.pgrst.object+json; charset=utf-8',
    ]);
  });

  it("sends a media type handler's body as bytes, under the domain's name without a charset", () => {
    const text = respond({ mediaType: 'text/html', handlerBody: 'text' }, { body: '<p>hi</p>' });
    expect({ contentType: header(text, 'Content-Type'), body: text.body, bytes: text.bytes }).toEqual({ contentType: ['text/html'], body: '<p>hi</p>', bytes: 'text' });
    const png = respond({ mediaType: 'image/png', handlerBody: 'hex' }, { body: '89504e47' });
    expect({ contentType: header(png, 'Content-Type'), bytes: png.bytes }).toEqual({ contentType: ['image/png'], bytes: 'hex' });
    expect(header(respond({ mediaType: 'text/plain', handlerBody: 'text' }, { body: 'hi' }), 'Content-Type')).toEqual(['text/plain; charset=utf-8']);
    expect(respond({ mediaType: 'application/json' }, { body: '[]' }).bytes).toBeUndefined();
  });
});

describe('write responses', () => {
  const insert = { kind: 'insert' as const, readOnly: false, relationPath: '/items' };

  it('answers 201 with Location and the representation for an insert', () => {
    const response = respond({ ...insert, returnPreference: 'representation', preferenceApplied: ['return=representation'] }, { body: '[{"id":7}]', location: 'id=eq.7' });
    expect(response).toEqual({
      status: 201,
      headers: [
        ['Location', '/items?id=eq.7'],
        ['Content-Range', '*/*'],
        ['Preference-Applied', 'return=representation'],
        ['Content-Type', 'application/json; charset=utf-8'],
      ],
      body: '[{"id":7}]',
    });
  });

  it('answers 201 without a body for return=minimal and headers-only, and counts inserted rows', () => {
    const minimal = respond({ ...insert, returnPreference: 'minimal', count: 'exact', omitBody: true }, { body: null, pageTotal: 3 });
    expect(minimal).toEqual({ status: 201, headers: [['Content-Range', '*/3']], body: null });
    const headersOnly = respond({ ...insert, relationPath: 'items', returnPreference: 'headers-only', omitBody: true }, { body: null, location: 'id=eq.8' });
    expect(headersOnly).toEqual({ status: 201, headers: [['Location', '/items?id=eq.8'], ['Content-Range', '*/*']], body: null });
  });

  it('answers 200 for an upsert with merge-duplicates that inserted nothing', () => {
    const response = respond({ ...insert, returnPreference: 'representation', preferenceApplied: ['resolution=merge-duplicates'] }, { inserted: 0 });
    expect(response.status).toBe(200);
  });

  it('answers 200 with the rows or 204 for updates and deletes', () => {
    const update = respond({ kind: 'update', readOnly: false, returnPreference: 'representation' }, { body: '[{},{},{}]', pageTotal: 3 });
    expect([update.status, header(update, 'Content-Range')[0], update.body]).toEqual([200, '0-2/*', '[{},{},{}]']);
    const counted = respond({ kind: 'update', readOnly: false, count: 'exact', omitBody: true }, { body: null, pageTotal: 3 });
    expect(counted).toEqual({ status: 204, headers: [['Content-Range', '0-2/3']], body: null });
    const none = respond({ kind: 'update', readOnly: false }, { body: null, pageTotal: 0 });
    expect(header(none, 'Content-Range')).toEqual(['*/*']);
    const remove = respond({ kind: 'delete', readOnly: false, count: 'exact', omitBody: true }, { body: null, pageTotal: 4 });
    expect(remove).toEqual({ status: 204, headers: [['Content-Range', '*/4']], body: null });
    const removeRepresentation = respond({ kind: 'delete', readOnly: false, returnPreference: 'representation' }, { body: '[{"id":1}]' });
    expect([removeRepresentation.status, header(removeRepresentation, 'Content-Range')[0]]).toEqual([200, '*/*']);
  });

  it('answers PUT with 200 (replaced), 201 (inserted) or 204 (minimal)', () => {
    expect(respond({ kind: 'put', readOnly: false, returnPreference: 'representation' }, {}).status).toBe(200);
    expect(respond({ kind: 'put', readOnly: false, returnPreference: 'representation' }, { inserted: 1 }).status).toBe(201);
    expect(respond({ kind: 'put', readOnly: false, omitBody: true }, { body: null })).toEqual({ status: 204, headers: [], body: null });
  });

  it('answers 204 for a function returning void and 200 with its result otherwise', () => {
    expect(respond({ kind: 'call', readOnly: false }, { body: null })).toEqual({ status: 204, headers: [['Content-Range', '0-0/*']], body: null });
    const scalar = respond({ kind: 'call' }, { body: '42' });
    expect([scalar.status, scalar.body]).toEqual([200, '42']);
  });

  it('answers OPTIONS with the Allow header its statement set', () => {
    const response = respond({ kind: 'info', omitBody: true }, { body: null, responseHeaders: [['Allow', 'OPTIONS,GET,HEAD']] });
    expect(response).toEqual({ status: 200, headers: [['Allow', 'OPTIONS,GET,HEAD']], body: null });
  });
});

describe('response.status and response.headers set by SQL', () => {
  it('override the status and headers of the same name, and add the others in order', () => {
    const response = respond(
      { kind: 'insert', readOnly: false, relationPath: '/items', returnPreference: 'representation' },
      {
        location: 'id=eq.1',
        responseStatus: 202,
        responseHeaders: [
          ['location', '/elsewhere'],
          ['Set-Cookie', 'a=1'],
          ['Set-Cookie', 'b=2'],
        ],
      },
    );
    expect(response.status).toBe(202);
    expect(header(response, 'Location')).toEqual(['/elsewhere']);
    expect(header(response, 'Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(header(response, 'Content-Type')).toEqual(['application/json; charset=utf-8']);
  });

  it('must be a JSON array of single-key objects with string values (PGRST111)', () => {
    expect(parseResponseHeadersGuc(null)).toEqual([]);
    expect(parseResponseHeadersGuc('')).toEqual([]);
    expect(parseResponseHeadersGuc('[{"X-A": "1"}, {"X-A": "2"}]')).toEqual([
      ['X-A', '1'],
      ['X-A', '2'],
    ]);
    for (const invalid of ['{"X-A": "1"}', '[{"X-A": 1}]', '[{"X-A": "1", "X-B": "2"}]', '[{}]', '["X-A"]', 'not json', '[{"Bad Name": "x"}]', '[{"X-A": "line\\r\\nbreak"}]']) {
      expect(() => parseResponseHeadersGuc(invalid), invalid).toThrow(
        expect.objectContaining({ status: 500, code: 'PGRST111', message: 'response.headers guc must be a JSON array composed of objects with a single key and a string value' }),
      );
    }
  });

  it('must be a valid HTTP status (PGRST112)', () => {
    expect(parseResponseStatusGuc(null)).toBeUndefined();
    expect(parseResponseStatusGuc('')).toBeUndefined();
    expect(parseResponseStatusGuc('418')).toBe(418);
    for (const invalid of ['teapot', '42', '1000', '2O1']) {
      expect(() => parseResponseStatusGuc(invalid), invalid).toThrow(
        expect.objectContaining({ status: 500, code: 'PGRST112', message: 'response.status guc must be a valid status code', details: null }),
      );
    }
  });
});

describe('errors', () => {
  it('render as {code, details, hint, message} with their status and headers', () => {
    const response = renderError(Errors.jwtClaims('JWT expired'));
    expect(response.status).toBe(401);
    expect(response.body).toBe('{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}');
    expect(response.headers).toEqual([
      ['Content-Type', 'application/json; charset=utf-8'],
      ['WWW-Authenticate', 'Bearer error="invalid_token", error_description="JWT expired"'],
    ]);
    expect(renderError(Errors.poolTimeout(), { omitBody: true }).body).toBeNull();
  });

  it('writes Content-Range like PostgREST', () => {
    expect(contentRange(0, 9, undefined)).toBe('0-9/*');
    expect(contentRange(0, 9, 120)).toBe('0-9/120');
    expect(contentRange(1, 0, 120)).toBe('*/120');
    expect(contentRange(0, -1, 0)).toBe('*/0');
    expect(contentRange(0, 4, 0)).toBe('*/0');
  });
});

