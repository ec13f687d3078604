import { describe, expect, test } from 'vitest';
import { PgrstError } from '../errors.ts';
import { mediaHandlersFromRows, type MediaHandlerRow } from '../schema-cache/media-handlers.ts';
import { negotiateRead, selectsDefault } from './negotiate.ts';
import { accept } from './read-plan.test-support.ts';

const negotiate = (list: ReturnType<typeof accept>[], planEnabled = true) => negotiateRead(list, { planEnabled });

describe('negotiateRead', () => {
  test('JSON by default, for */* and application/json', () => {
    expect(negotiate([])).toEqual({ mediaType: 'application/json', body: 'json', singular: false, explain: undefined });
    expect(negotiate([accept('*/*')]).body).toBe('json');
    expect(negotiate([accept('application/json')]).mediaType).toBe('application/json');
  });

  test('vendor types: singular object, nulls stripped; CSV', () => {
    expect(negotiate([accept('application/vnd.pgrst.object+json')])).toMatchObject({ mediaType: 'application/vnd.pgrst.object+json', body: 'object', singular: true });
    expect(negotiate([accept('application/vnd.pgrst.object', { nulls: 'stripped' })])).toMatchObject({
      mediaType: 'application/vnd.pgrst.object+json;nulls=stripped',
      body: 'object-stripped',
      singular: true,
    });
    expect(negotiate([accept('application/vnd.pgrst.array+json', { nulls: 'stripped' })])).toMatchObject({
      mediaType: 'application/vnd.pgrst.array+json;nulls=stripped',
      body: 'json-stripped',
    });
    expect(negotiate([accept('application/vnd.pgrst.array+json')])).toMatchObject({ mediaType: 'application/json', body: 'json' });
    expect(negotiate([accept('text/csv')])).toMatchObject({ mediaType: 'text/csv', body: 'csv' });
  });

  test('by quality, then order; unavailable types are skipped', () => {
    expect(negotiate([accept('application/xml'), accept('text/csv', {}, 0.5), accept('application/json', {}, 0.9)]).body).toBe('json');
    expect(negotiate([accept('text/csv'), accept('application/json')]).body).toBe('csv');
  });

  test('plans: format, the explained media type and options, only when enabled', () => {
    expect(negotiate([accept('application/vnd.pgrst.plan+json', { for: '"text/csv"', options: 'analyze|verbose|bogus' })])).toEqual({
      // named as PostgREST names it: what is explained and the options, in its order
      mediaType: 'application/vnd.pgrst.plan+json; for="text/csv"; options=analyze|verbose',
      body: 'csv',
      singular: false,
      explain: { format: 'json', options: ['analyze', 'verbose'] },
    });
    expect(negotiate([accept('application/vnd.pgrst.plan')])).toMatchObject({ mediaType: 'application/vnd.pgrst.plan+text; for="application/json"', body: 'json', explain: { format: 'text', options: [] } });
    expect(negotiate([accept('application/vnd.pgrst.plan+json', { for: '"application/vnd.pgrst.object"', options: 'buffers|analyze' })]).mediaType).toBe(
      'application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"; options=analyze|buffers',
    );
    expect(() => negotiate([accept('application/vnd.pgrst.plan+json')], false)).toThrow(PgrstError);
  });

  test('nothing acceptable: 406 PGRST107 listing what was asked', () => {
    try {
      negotiate([accept('application/xml'), accept('text/html')]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 406, code: 'PGRST107', message: 'None of these media types are available: application/xml, text/html' });
    }
  });

  describe('media type handlers', () => {
    const row = (kind: MediaHandlerRow['kind'], name: string, target: string | null, mediaType: string, baseType = 'text'): MediaHandlerRow => ({
      kind,
      schema: 'api',
      name,
      target_schema: target === null ? null : 'api',
      target_name: target,
      media_type: mediaType,
      base_type: baseType,
    });
    const handlers = mediaHandlersFromRows([
      row('aggregate', 'twkb_agg', 'lines', 'application/vnd.twkb', 'bytea'),
      row('aggregate', 'csv_agg', 'lines', 'text/csv'),
      row('aggregate', 'json_agg', 'ov_json', 'application/json'),
      row('aggregate', 'any_agg', 'numbers', '*/*', 'bytea'),
      row('aggregate', 'outfunc_agg', null, 'pg/outfunc'),
      row('aggregate', 'obj_agg', null, 'application/vnd.pgrst.object'),
      row('function', 'welcome', 'welcome', 'text/plain'),
    ]);
    const on = (name: string, list: ReturnType<typeof accept>[], defaultSelect = true) =>
      negotiateRead(list, { planEnabled: true, handlers, target: { schema: 'api', name }, defaultSelect });
    const handlerOf = (media: ReturnType<typeof on>) => (typeof media.body === 'object' ? media.body.handler.handler.name : media.body);

    test("a relation's handler answers its media type, with the domain's name as Content-Type", () => {
      const media = on('lines', [accept('application/vnd.twkb')]);
      expect({ mediaType: media.mediaType, handler: handlerOf(media), binary: typeof media.body === 'object' && media.body.handler.binary }).toEqual({
        mediaType: 'application/vnd.twkb',
        handler: 'twkb_agg',
        binary: true,
      });
      expect(() => on('people', [accept('application/vnd.twkb')])).toThrow('None of these media types are available: application/vnd.twkb');
    });

    test('handlers override JSON and CSV for their relation only', () => {
      expect(handlerOf(on('lines', [accept('text/csv')]))).toBe('csv_agg');
      expect(handlerOf(on('people', [accept('text/csv')]))).toBe('csv');
      expect(handlerOf(on('ov_json', [accept('application/json')]))).toBe('json_agg');
      expect(handlerOf(on('ov_json', [accept('application/vnd.pgrst.array+json')]))).toBe('json_agg');
      expect(handlerOf(on('people', [accept('application/json')]))).toBe('json');
    });

    test("a relation's own handlers need the default select; anyelement handlers do not", () => {
      expect(() => on('lines', [accept('application/vnd.twkb')], false)).toThrow(PgrstError);
      expect(handlerOf(on('lines', [accept('text/csv')], false))).toBe('csv');
      expect(handlerOf(on('lines', [accept('pg/outfunc')], false))).toBe('outfunc_agg');
      expect(selectsDefault({ select: [{ kind: 'star' }] })).toBe(true);
      expect(selectsDefault({ select: [{ kind: 'star' }, { kind: 'count', alias: undefined, cast: undefined }] })).toBe(false);
      // PostgREST spells * out when a column is formatted by a data representation
      const column = { name: 'color', type: 'api.color', udtName: 'int4', nullable: true, defaultExpr: null, generated: false, isArray: false, description: null, position: 1, enumValues: null };
      expect(selectsDefault({ select: [{ kind: 'star' }] }, [column])).toBe(true);
      expect(selectsDefault({ select: [{ kind: 'star' }] }, [{ ...column, representations: { toJson: { schema: 'api', name: 'json' } } }])).toBe(false);
    });

    test('a */* handler answers everything but the vendor types, as application/octet-stream', () => {
      for (const type of ['*/*', 'application/json', 'text/csv', 'magic/number']) {
        expect({ type, ...on('numbers', [accept(type)]) }).toMatchObject({ type, mediaType: 'application/octet-stream' });
        expect(handlerOf(on('numbers', [accept(type)]))).toBe('any_agg');
      }
      expect(on('numbers', []).mediaType).toBe('application/octet-stream');
      expect(on('numbers', [accept('application/vnd.pgrst.object+json')]).body).toBe('object');
    });

    test('vendor types are never overridden', () => {
      expect(on('people', [accept('application/vnd.pgrst.object')])).toMatchObject({ body: 'object', singular: true });
    });

    test("a function's own media type; the built-ins otherwise", () => {
      expect(on('welcome', [accept('text/plain')]).mediaType).toBe('text/plain');
      expect(on('welcome', [accept('application/json')]).body).toBe('json');
      expect(() => on('welcome', [accept('text/xml')])).toThrow(PgrstError);
    });

    test('application/geo+json is built in', () => {
      expect(on('people', [accept('application/geo+json')])).toMatchObject({ mediaType: 'application/geo+json', body: 'geojson' });
    });

    test('a plan explains the handler of its for= type', () => {
      const media = on('lines', [accept('application/vnd.pgrst.plan+json', { for: '"application/vnd.twkb"' })]);
      expect({ mediaType: media.mediaType, handler: handlerOf(media) }).toEqual({ mediaType: 'application/vnd.pgrst.plan+json; for="application/vnd.twkb"', handler: 'twkb_agg' });
    });
  });
});
