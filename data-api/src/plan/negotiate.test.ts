import { describe, expect, test } from 'vitest';
import { PgrstError } from '../errors.ts';
import { negotiateRead } from './negotiate.ts';
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
});
