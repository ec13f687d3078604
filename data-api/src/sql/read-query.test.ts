import { describe, expect, test } from 'vitest';
import type { PlanContext } from '../plan/context.ts';
import { buildReadPlan } from '../plan/read-plan.ts';
import { accept, embed, field, filter, order, readRequest, star, testCache } from '../plan/read-plan.test-support.ts';
import { ident, raw, render } from './fragment.ts';
import { bodySql, readQueryFor, readStatement } from './read-query.ts';

const cache = testCache();
const context: PlanContext = { maxRows: undefined, aggregatesEnabled: true };
const relation = (name: string) => cache.relations.get(`haven.${name}`)!;

describe('readQueryFor', () => {
  test('columns and filters on the aliased source', () => {
    const request = readRequest('people', { select: [field('id'), field('name', { alias: 'who' })], modifiers: { '': { filters: [filter('id', 'gt', '1')], order: [order('name', 'desc', 'last')], limit: 5, offset: 10 } } });
    const query = readQueryFor(ident('haven', 'people'), relation('people'), request, cache, context);
    expect(render(query.select)).toEqual({
      text: 'SELECT "people"."id" AS "id", "people"."name" AS "who" FROM "haven"."people" AS "people" WHERE "people"."id" > $1 ORDER BY "people"."name" DESC NULLS LAST LIMIT $2 OFFSET $3',
      values: ['1', 5, 10],
    });
    expect(render(query.count)).toEqual({ text: 'SELECT 1 FROM "haven"."people" AS "people" WHERE "people"."id" > $1', values: ['1'] });
  });

  test('to-one embeds are LATERAL row_to_json, to-many json_agg with [] for none', () => {
    const request = readRequest('zones', { select: [field('name'), embed('properties', [field('name')]), embed('assets', [star], { joinType: 'inner' })] });
    const { text } = render(readQueryFor(ident('haven', 'zones'), relation('zones'), request, cache, context).select);
    expect(text).toBe(
      'SELECT "zones"."name" AS "name", row_to_json("zones_properties_1".*) AS "properties", COALESCE("zones_assets_1"."zones_assets_1", \'[]\') AS "assets" FROM "haven"."zones" AS "zones"' +
        ' LEFT JOIN LATERAL ( SELECT "properties_1"."name" AS "name" FROM "haven"."properties" AS "properties_1" WHERE "properties_1"."id" = "zones"."property_id" ) AS "zones_properties_1" ON TRUE' +
        ' INNER JOIN LATERAL ( SELECT json_agg("zones_assets_1") AS "zones_assets_1" FROM ( SELECT "assets_1".* FROM "haven"."assets" AS "assets_1" WHERE "assets_1"."zone_id" = "zones"."id" ) AS "zones_assets_1" ) AS "zones_assets_1" ON "zones_assets_1" IS NOT NULL',
    );
  });

  test('embed null filters: DISTINCT FROM NULL on the lateral, EXISTS in the count; !inner is EXISTS in the count', () => {
    const request = readRequest('zones', {
      select: [field('id'), embed('assets', [field('id')]), embed('properties', [field('id')], { joinType: 'inner' })],
      modifiers: { '': { filters: [filter('assets', 'is', { kind: 'is', value: 'null' })] } },
    });
    const query = readQueryFor(ident('haven', 'zones'), relation('zones'), request, cache, context);
    expect(render(query.select).text).toContain('WHERE "zones_assets_1" IS NOT DISTINCT FROM NULL');
    expect(render(query.count).text).toBe(
      'SELECT 1 FROM "haven"."zones" AS "zones" WHERE NOT EXISTS (SELECT 1 FROM "haven"."assets" AS "assets_1" WHERE "assets_1"."zone_id" = "zones"."id")' +
        ' AND EXISTS (SELECT 1 FROM "haven"."properties" AS "properties_1" WHERE "properties_1"."id" = "zones"."property_id")',
    );
  });

  test('aggregates: GROUP BY the other columns by position; embeds as jsonb', () => {
    const request = readRequest('assets', { select: [field('zone_id'), field('price', { aggregate: 'sum', aggregateCast: 'int' }), embed('zones', [field('name')]), { kind: 'count', alias: 'n', cast: 'text' }] });
    const { text } = render(readQueryFor(ident('haven', 'assets'), relation('assets'), request, cache, context).select);
    expect(text).toMatch(
      /^SELECT "assets"\."zone_id" AS "zone_id", CAST\(sum\("assets"\."price"\) AS int\) AS "sum", CAST\(count\(\*\) AS text\) AS "n", row_to_json\("assets_zones_1"\.\*\)::jsonb AS "zones" FROM .* GROUP BY 1, 4$/,
    );
  });

  test('RPC and writes read from any FROM item under the relation name', () => {
    const request = readRequest('people', { action: { kind: 'insert' }, select: [field('id'), embed('properties', [field('id')], { hint: 'owner_id' })], modifiers: { '': { filters: [filter('id', 'eq', '1')] } } });
    const { text } = render(readQueryFor(raw('pgrst_source'), relation('people'), request, cache, context).select);
    expect(text).toMatch(/^SELECT "people"\."id" AS "id", .* FROM pgrst_source AS "people" LEFT JOIN LATERAL .*"properties_1"\."owner_id" = "people"\."id" \) AS "people_properties_1" \) AS "people_properties_1" ON TRUE$/);
    // the root filter belongs to the write itself
    expect(text).not.toContain('$');
  });
});

describe('readStatement', () => {
  const query = readQueryFor(ident('haven', 'people'), relation('people'), readRequest('people'), cache, context);

  test('one row: body, page_total, total_result_set, response_headers, response_status, location', () => {
    expect(render(readStatement({ query, body: 'json', count: undefined, maxRows: undefined })).text).toBe(
      'WITH pgrst_source AS ( SELECT "people".* FROM "haven"."people" AS "people" ) SELECT coalesce(json_agg(_postgrest_t), \'[]\')::text AS body, pg_catalog.count(_postgrest_t) AS page_total, NULL::bigint AS total_result_set,' +
        " nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status, NULL::text AS location FROM ( SELECT * FROM pgrst_source ) _postgrest_t",
    );
  });

  test('exact and estimated counts', () => {
    expect(render(readStatement({ query, body: 'json', count: 'exact', maxRows: 10 })).text).toContain(
      ', pgrst_source_count AS ( SELECT 1 FROM "haven"."people" AS "people" ) SELECT coalesce(json_agg(_postgrest_t), \'[]\')::text AS body, pg_catalog.count(_postgrest_t) AS page_total, (SELECT pg_catalog.count(*) FROM pgrst_source_count) AS total_result_set',
    );
    expect(render(readStatement({ query, body: 'json', count: 'estimated', maxRows: 10 }))).toMatchObject({ values: [11] });
    expect(render(readStatement({ query, body: 'json', count: 'planned', maxRows: 10 })).text).toContain('NULL::bigint AS total_result_set');
  });

  test('bodies', () => {
    expect(render(bodySql('object')).text).toBe("coalesce(json_agg(_postgrest_t)->0, 'null')::text");
    expect(render(bodySql('json-stripped')).text).toBe("coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text");
    expect(render(bodySql('csv')).text).toContain('FROM pgrst_source AS pgrst_row LIMIT 1');
    expect(render(bodySql('none')).text).toBe('NULL::text');
  });
});

describe('buildReadPlan', () => {
  test('the plan of a GET', () => {
    const plan = buildReadPlan(readRequest('people', { count: 'exact', range: { offset: 2, limit: 3 } }), cache, context);
    expect(plan).toMatchObject({
      readOnly: true,
      mediaType: 'application/json',
      singular: false,
      kind: 'read',
      omitBody: false,
      count: 'exact',
      range: { offset: 2, limit: 3 },
      rollback: false,
      maxAffected: undefined,
      preferenceApplied: ['count=exact'],
      relationPath: undefined,
      countPlanStatement: undefined,
    });
  });

  test('HEAD omits the body; planned counts carry the EXPLAIN of the count query', () => {
    const plan = buildReadPlan(readRequest('people', { headersOnly: true, count: 'planned' }), cache, context);
    expect(plan.omitBody).toBe(true);
    expect(render(plan.statement).text).toContain('NULL::text AS body');
    expect(render(plan.countPlanStatement!).text).toBe('EXPLAIN (FORMAT JSON) SELECT 1 FROM "haven"."people" AS "people"');
  });

  test('singular and CSV media', () => {
    expect(buildReadPlan(readRequest('people', { accept: [accept('application/vnd.pgrst.object+json')] }), cache, context)).toMatchObject({ singular: true, mediaType: 'application/vnd.pgrst.object+json' });
    expect(buildReadPlan(readRequest('people', { accept: [accept('text/csv')] }), cache, context).mediaType).toBe('text/csv');
  });

  test('a missing relation is 404 PGRST205 with a suggestion', () => {
    expect(() => buildReadPlan(readRequest('peple'), cache, context)).toThrow(
      expect.objectContaining({ status: 404, code: 'PGRST205', message: "Could not find the table 'haven.peple' in the schema cache", hint: "Perhaps you meant the table 'haven.people'" }),
    );
  });

  test('invalid preferences with handling=strict: PGRST122', () => {
    const request = readRequest('people');
    request.preferences = { ...request.preferences, handling: 'strict', invalid: ['bogus=1'] };
    expect(() => buildReadPlan(request, cache, context)).toThrow(expect.objectContaining({ code: 'PGRST122' }));
  });
});
