/**
 * Media type handlers (PostgREST 12, "Media Type Handlers"; its CustomMediaSpec, the fixtures
 * adapted to the Haven schema): domains named after media types make handlers of the functions
 * returning them and of the aggregates over a relation's rows (or anyelement) returning them —
 * custom types, overriding JSON, CSV and GeoJSON for one relation, `*\/*` handlers, binary
 * bodies, `pg/outfunc` — and the whole body of a `text/plain`, `text/xml` or
 * `application/octet-stream` POST goes to a function's single unnamed parameter.
 *
 * PostGIS is not installed on the machines this runs on: `lines.geom` is WKT text, and
 * `ST_AsTWKB`/`ST_AsGeoJSON` are stand-ins of the same shape in `public` (on the search path,
 * where PostgREST finds PostGIS too). What is tested is the negotiation and the bodies the
 * handlers make, not PostGIS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, SERVICE_TOKEN } from './read-support.ts';

// a 1×1 PNG
const PNG_HEX = '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082';

const FIXTURES = `
create function public.st_astwkb(geom text) returns bytea language sql immutable as $$ select '\\x00ff'::bytea || convert_to(geom, 'UTF8') $$;
create function public.st_asgeojson(r anyelement) returns text language sql stable as $$
  select json_build_object('type', 'Feature', 'geometry', null, 'properties', to_json(r))::text
$$;

create domain api."text/plain" as text;
create domain api."text/html" as text;
create domain api."text/xml" as xml;
create domain api."application/octet-stream" as bytea;
create domain api."image/png" as bytea;
create domain api."application/vnd.twkb" as bytea;
create domain api."application/geo+json" as jsonb;
create domain api."application/vnd.geo2+json" as jsonb;
create domain api."application/json" as json;
create domain api."application/vnd.pgrst.object" as json;
create domain api."text/tab-separated-values" as text;
create domain api."text/csv" as text;
create domain api."*/*" as bytea;
create domain api."pg/outfunc" as text;

create table api.lines (id int primary key, name text, geom text);
insert into api.lines values (1, 'line-1', 'LINESTRING(1 1,5 5)'), (2, 'line-2', 'LINESTRING(2 2,6 6)');
create function api.get_lines() returns setof api.lines language sql stable as $$ select * from api.lines order by id $$;
create function api.get_line(id int) returns api."application/vnd.twkb" language sql stable as $$
  select st_astwkb(geom)::api."application/vnd.twkb" from api.lines where id = get_line.id
$$;
create function api.twkb_trans(state api."application/vnd.twkb", next api.lines) returns api."application/vnd.twkb" language sql as $$
  select (state || st_astwkb(next.geom))::api."application/vnd.twkb"
$$;
create aggregate api.twkb_agg(api.lines) (initcond = '', stype = api."application/vnd.twkb", sfunc = api.twkb_trans);

-- overrides text/csv for lines: a BOM, its own header, and a Content-Disposition
create function api.bom_csv_trans(state text, next api.lines) returns api."text/csv" language sql as $$
  select (state || next.id::text || ',' || next.name || ',' || next.geom || E'\\n')::api."text/csv"
$$;
create function api.bom_csv_final(data api."text/csv") returns api."text/csv" language sql as $$
  select set_config('response.headers', '[{"Content-Disposition": "attachment; filename=\\"lines.csv\\""}]', true);
  select (convert_from(decode('EFBBBF', 'hex'), 'UTF8') || E'id,name,geom\\n' || data)::api."text/csv";
$$;
create aggregate api.bom_csv_agg(api.lines) (initcond = '', stype = api."text/csv", sfunc = api.bom_csv_trans, finalfunc = api.bom_csv_final);

-- overrides application/geo+json for lines
create function api.lines_geojson_trans(state jsonb, next api.lines) returns api."application/geo+json" language sql as $$
  select (state || st_asgeojson(next)::jsonb)::api."application/geo+json"
$$;
create function api.lines_geojson_final(data jsonb) returns api."application/geo+json" language sql as $$
  select jsonb_build_object('type', 'FeatureCollection', 'crs', json_build_object('type', 'name', 'properties', json_build_object('name', 'EPSG:4326')), 'features', data)::api."application/geo+json"
$$;
create aggregate api.lines_geojson_agg(api.lines) (initcond = '[]', stype = api."application/geo+json", sfunc = api.lines_geojson_trans, finalfunc = api.lines_geojson_final);

-- an anyelement handler, and a more specific one for shop_bles
create table api.shop_bles (id int primary key, name text);
insert into api.shop_bles values (1, 'bench');
create function api.get_shop_bles() returns setof api.shop_bles language sql stable as $$ select * from api.shop_bles $$;
create function api.geo2json_trans(state api."application/vnd.geo2+json", next anyelement) returns api."application/vnd.geo2+json" language sql as $$
  select (state || st_asgeojson(next)::jsonb)::api."application/vnd.geo2+json"
$$;
create function api.geo2json_final(data api."application/vnd.geo2+json") returns api."application/vnd.geo2+json" language sql as $$
  select jsonb_build_object('type', 'FeatureCollection', 'hello', 'world')::api."application/vnd.geo2+json"
$$;
create aggregate api.geo2json_agg_any(anyelement) (initcond = '[]', stype = api."application/vnd.geo2+json", sfunc = api.geo2json_trans, finalfunc = api.geo2json_final);
create function api.geo2json_trans(state api."application/vnd.geo2+json", next api.shop_bles) returns api."application/vnd.geo2+json" language sql as $$
  select '"anyelement overridden"'::api."application/vnd.geo2+json"
$$;
create aggregate api.geo2json_agg(api.shop_bles) (initcond = '[]', stype = api."application/vnd.geo2+json", sfunc = api.geo2json_trans);

-- overrides application/json for ov_json only
create table api.ov_json ();
create function api.ov_json_trans(state api."application/json", next api.ov_json) returns api."application/json" language sql as $$ select null::api."application/json" $$;
create aggregate api.ov_json_agg(api.ov_json) (initcond = '{"overridden": "true"}', stype = api."application/json", sfunc = api.ov_json_trans);

-- PostgREST's own vendor types cannot be overridden
create function api.pgrst_obj_trans(state api."application/vnd.pgrst.object", next anyelement) returns api."application/vnd.pgrst.object" language sql as $$ select null::api."application/vnd.pgrst.object" $$;
create aggregate api.pgrst_obj_agg(anyelement) (initcond = '{"overridden": "true"}', stype = api."application/vnd.pgrst.object", sfunc = api.pgrst_obj_trans);

create function api.tsv_trans(state text, next api.people) returns api."text/tab-separated-values" language sql as $$
  select (state || next.id::text || E'\\t' || next.name || E'\\t' || coalesce(next.phone, '') || E'\\n')::api."text/tab-separated-values"
$$;
create function api.tsv_final(data api."text/tab-separated-values") returns api."text/tab-separated-values" language sql as $$
  select (E'id\\tname\\tphone\\n' || data)::api."text/tab-separated-values"
$$;
create aggregate api.tsv_agg(api.people) (initcond = '', stype = api."text/tab-separated-values", sfunc = api.tsv_trans, finalfunc = api.tsv_final);

create table api.xmltest (id int primary key, xml xml not null);
insert into api.xmltest values (1, '<myxml>foo</myxml>'), (2, 'bar'), (3, '<foobar><baz/></foobar>');
create function api.xml_trans(state api."text/xml", next api.xmltest) returns api."text/xml" language sql as $$ select xmlconcat(state, next.xml)::api."text/xml" $$;
create aggregate api.text_xml_agg(api.xmltest) (stype = api."text/xml", sfunc = api.xml_trans);

create function api.welcome() returns api."text/plain" language sql as $$ select 'Welcome to PostgREST'::api."text/plain" $$;
create function api.welcome_twice() returns setof api."text/plain" language sql as $$
  select 'Welcome to PostgREST' union all select 'Welcome to PostgREST'
$$;
create function api."welcome.html"() returns api."text/html" language sql as $$ select '<html><body><h1>Welcome</h1></body></html>'::api."text/html" $$;
create function api.return_scalar_xml() returns api."text/xml" language sql as $$ select '<my-xml-tag/>'::api."text/xml" $$;
create function api.ret_image() returns api."image/png" language sql as $$ select decode('${PNG_HEX}', 'hex')::api."image/png" $$;

create function api.ret_any_mt() returns api."*/*" language sql as $$ select 'any'::api."*/*" $$;
create function api.ret_some_mt() returns api."*/*" language plpgsql as $$
declare
  req_accept text := current_setting('request.headers', true)::json->>'accept';
begin
  case req_accept
    when 'app/chico' then
      perform set_config('response.headers', json_build_array(json_build_object('Content-Type', req_accept))::text, true);
      return 'chico';
    when '*/*' then
      perform set_config('response.headers', json_build_array(json_build_object('Content-Type', 'app/groucho'))::text, true);
      return 'groucho';
    else
      raise sqlstate 'PT406' using message = 'Not Acceptable';
  end case;
end $$;

create table api.some_numbers as select x::int as val from generate_series(1, 10) x;
create function api.some_trans(state api."*/*", next api.some_numbers) returns api."*/*" language sql as $$
  select (state || E'\\n' || next.val::text::bytea)::api."*/*"
$$;
create function api.some_final(data api."*/*") returns api."*/*" language plpgsql as $$
declare
  req_accept text := current_setting('request.headers', true)::json->>'accept';
  prefix bytea;
begin
  if req_accept = 'magic/number' then
    perform set_config('response.headers', json_build_array(json_build_object('Content-Type', req_accept))::text, true);
    prefix := 'magic';
  else
    prefix := 'anything';
  end if;
  return (prefix || data)::api."*/*";
end $$;
create aggregate api.some_agg(api.some_numbers) (initcond = '', stype = api."*/*", sfunc = api.some_trans, finalfunc = api.some_final);

create function api.outfunc_trans(state text, next anyelement) returns api."pg/outfunc" language sql as $$
  select (state || next::text || E'\\n')::api."pg/outfunc"
$$;
create aggregate api.outfunc_agg(anyelement) (initcond = '', stype = api."pg/outfunc", sfunc = api.outfunc_trans);
create function api.is_household_label(api.people) returns text language sql stable as $$ select case when $1.is_household then 'household' else 'contractor' end $$;

-- the whole body of a text/plain, text/xml or octet-stream POST goes to the one unnamed parameter
create function api.echo_bytes(bytea) returns api."application/octet-stream" language sql as $$ select $1::api."application/octet-stream" $$;
create function api.shout(text) returns api."text/plain" language sql as $$ select ('you said: ' || $1)::api."text/plain" $$;
create function api.xml_root(xml) returns api."text/xml" language sql as $$ select xmlelement(name root, $1)::api."text/xml" $$;

create function api.unnamed_int_param(int) returns int language sql as $$ select $1 $$;
create function api.overloaded_unnamed_param(json) returns json language sql as $$ select $1 $$;
create function api.overloaded_unnamed_param(bytea) returns api."application/octet-stream" language sql as $$ select $1::api."application/octet-stream" $$;
create function api.overloaded_unnamed_param(text) returns api."text/plain" language sql as $$ select $1::api."text/plain" $$;
create function api.overloaded_unnamed_param() returns int language sql as $$ select 1 $$;
create function api.overloaded_unnamed_param(x int, y int) returns int language sql as $$ select x + y $$;

-- handlers in another exposed schema, with a domain of either schema
create table v2.another_table (id int primary key);
insert into v2.another_table values (1);
create domain v2."text/special" as text;
create function v2.get_plain_text() returns api."text/plain" language sql as $$ select 'plain'::api."text/plain" $$;
create function v2.get_special_text() returns v2."text/special" language sql as $$ select 'special'::v2."text/special" $$;
create function v2.special_trans(state v2."text/special", next v2.another_table) returns v2."text/special" language sql as $$ select 'special'::v2."text/special" $$;
create aggregate v2.special_agg(v2.another_table) (initcond = '', stype = v2."text/special", sfunc = v2.special_trans);
create function v2.plain_trans(state api."text/plain", next v2.another_table) returns api."text/plain" language sql as $$ select 'plain'::api."text/plain" $$;
create aggregate v2.plain_agg(v2.another_table) (initcond = '', stype = api."text/plain", sfunc = v2.plain_trans);
grant select on v2.another_table to service_role;

-- a column formatted by a data representation: PostgREST spells * out, so the table's own handlers no longer apply
create domain api.hex_color as int;
create function api.hex_color_json(api.hex_color) returns json language sql immutable as $$ select to_json(lpad(to_hex($1), 6, '0')) $$;
create cast (api.hex_color as json) with function api.hex_color_json(api.hex_color) as implicit;
create table api.swatches (id int primary key, color api.hex_color);
insert into api.swatches values (1, 255);
create function api.swatch_trans(state text, next api.swatches) returns api."text/plain" language sql as $$ select (state || next.id)::api."text/plain" $$;
create aggregate api.swatch_agg(api.swatches) (initcond = '', stype = api."text/plain", sfunc = api.swatch_trans);
grant select on api.swatches to service_role;

grant all on api.lines, api.shop_bles, api.ov_json, api.xmltest, api.some_numbers to service_role;
`;

describe('media type handlers', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ extraSql: FIXTURES });
  });
  afterAll(() => server?.close());

  const get = (path: string, accept?: string) => request(server, path, accept === undefined ? {} : { Accept: accept });
  /** The body as bytes, for binary handlers. */
  async function bytes(path: string, init: { accept?: string; method?: string; body?: Buffer; contentType?: string } = {}) {
    const headers: Record<string, string> = { Authorization: `Bearer ${SERVICE_TOKEN}` };
    if (init.accept !== undefined) headers['Accept'] = init.accept;
    if (init.contentType !== undefined) headers['Content-Type'] = init.contentType;
    const response = await server.fetch(path, { method: init.method ?? 'GET', headers, ...(init.body ? { body: new Uint8Array(init.body) } : {}) });
    return { status: response.status, contentType: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
  }
  const twkb = (geom: string) => Buffer.concat([Buffer.from([0x00, 0xff]), Buffer.from(geom)]);
  const notAvailable = (types: string) => ({ code: 'PGRST107', details: null, hint: null, message: `None of these media types are available: ${types}` });

  describe('aggregates for a table', () => {
    it('answers a custom media type with the aggregate of the rows, as bytes', async () => {
      expect(await bytes('/lines?order=id', { accept: 'application/vnd.twkb' })).toEqual({
        status: 200,
        contentType: 'application/vnd.twkb',
        body: Buffer.concat([twkb('LINESTRING(1 1,5 5)'), twkb('LINESTRING(2 2,6 6)')]),
      });
      expect((await bytes('/lines?id=eq.2', { accept: 'application/vnd.twkb' })).body).toEqual(twkb('LINESTRING(2 2,6 6)'));
    });

    it('answers 406 PGRST107 for a type no handler makes', async () => {
      expectError(await get('/lines', 'text/plain'), 406, notAvailable('text/plain'));
      expectError(await get('/people', 'undefined'), 406, notAvailable('undefined'));
    });

    it('answers text/xml from an aggregate over xml', async () => {
      const response = await get('/xmltest?order=id', 'text/xml');
      expect({ status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
        status: 200,
        contentType: 'text/xml; charset=utf-8',
        body: '<myxml>foo</myxml>bar<foobar><baz/></foobar>',
      });
    });

    it('takes only the whole rows: another select is 406', async () => {
      for (const select of ['id', 'id,name,geom,id', 'name,id,geom', 'id,name,geom']) {
        expect({ select, status: (await get(`/lines?select=${select}`, 'application/vnd.twkb')).status }).toEqual({ select, status: 406 });
      }
      expect((await get('/lines?select=*', 'application/vnd.twkb')).status).toBe(200);
    });
  });

  describe('anyelement aggregates', () => {
    it('serve every relation, and a relation’s own handler wins', async () => {
      const any = await get('/lines', 'application/vnd.geo2+json');
      expect({ status: any.status, contentType: any.headers['content-type'], body: any.json() }).toEqual({
        status: 200,
        contentType: 'application/vnd.geo2+json',
        body: { type: 'FeatureCollection', hello: 'world' },
      });
      for (const path of ['/shop_bles', '/rpc/get_shop_bles']) {
        const own = await get(path, 'application/vnd.geo2+json');
        expect({ path, status: own.status, body: own.text }).toEqual({ path, status: 200, body: '"anyelement overridden"' });
      }
      expect((await get('/rpc/get_lines', 'application/vnd.geo2+json')).json()).toEqual({ type: 'FeatureCollection', hello: 'world' });
    });

    it('pg/outfunc: each row as PostgreSQL prints it, whatever is selected', async () => {
      const cases: Array<[string, string]> = [
        ['/people?id=in.(1,2)&order=id', '(1,"Alice Martin","+33 6 11 11 11 11",t)\n(2,"Sam Martin","+33 6 22 22 22 22",t)\n'],
        ['/people?id=in.(1,2)&order=id&select=id,name', '(1,"Alice Martin")\n(2,"Sam Martin")\n'],
        ['/people?id=in.(1,2)&order=id&select=name,id', '("Alice Martin",1)\n("Sam Martin",2)\n'],
        ['/people?id=in.(1,3)&order=id&select=id,is_household_label', '(1,household)\n(3,contractor)\n'],
        ['/zones?id=in.(2,3)&order=id&select=name,properties(id)', '(Kitchen,"{""id"":1}")\n("Living room","{""id"":1}")\n'],
      ];
      for (const [path, body] of cases) {
        const response = await get(path, 'pg/outfunc');
        expect({ path, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({ path, status: 200, contentType: 'pg/outfunc', body });
      }
    });
  });

  describe('functions returning a media type', () => {
    it('answers the scalar as it is, with the domain’s type', async () => {
      const cases: Array<[string, string, string, string]> = [
        ['/rpc/welcome', 'text/plain', 'text/plain; charset=utf-8', 'Welcome to PostgREST'],
        ['/rpc/welcome.html', 'text/html', 'text/html', '<html><body><h1>Welcome</h1></body></html>'],
        ['/rpc/return_scalar_xml', 'text/xml', 'text/xml; charset=utf-8', '<my-xml-tag/>'],
      ];
      for (const [path, accept, contentType, body] of cases) {
        const response = await get(path, accept);
        expect({ path, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({ path, status: 200, contentType, body });
      }
      // and JSON, as any scalar, when asked
      expect((await get('/rpc/welcome', 'application/json')).json()).toBe('Welcome to PostgREST');
    });

    it('answers bytes: an image, by quality among other types', async () => {
      const png = Buffer.from(PNG_HEX, 'hex');
      for (const accept of ['image/png', 'image/png, */*', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/png,*/*;q=0.8']) {
        expect({ accept, ...(await bytes('/rpc/ret_image', { accept })) }).toEqual({ accept, status: 200, contentType: 'image/png', body: png });
      }
      expect(await bytes('/rpc/get_line?id=1', { accept: 'application/vnd.twkb' })).toEqual({ status: 200, contentType: 'application/vnd.twkb', body: twkb('LINESTRING(1 1,5 5)') });
    });

    it('answers an empty body when the function returns no value', async () => {
      const response = await get('/rpc/get_line?id=777', 'application/vnd.twkb');
      expect({ status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({ status: 200, contentType: 'application/vnd.twkb', body: '' });
    });

    it('answers 406 for another type, and for a set of scalars', async () => {
      expectError(await get('/rpc/welcome', 'text/xml'), 406, notAvailable('text/xml'));
      expectError(await get('/rpc/welcome_twice', 'text/plain'), 406, notAvailable('text/plain'));
      expectError(await get('/rpc/get_lines', 'application/octet-stream'), 406, notAvailable('application/octet-stream'));
    });

    it('makes the representation of written rows', async () => {
      const written = await server.fetch('/lines?id=eq.1', {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/vnd.twkb', Prefer: 'return=representation' },
        body: JSON.stringify({ name: 'line-1' }),
      });
      expect({ status: written.status, contentType: written.headers.get('content-type'), body: Buffer.from(await written.arrayBuffer()) }).toEqual({
        status: 200,
        contentType: 'application/vnd.twkb',
        body: twkb('LINESTRING(1 1,5 5)'),
      });
    });

    it('serves a set-returning function with its table’s aggregate', async () => {
      expect(await bytes('/rpc/get_lines', { accept: 'application/vnd.twkb' })).toEqual({
        status: 200,
        contentType: 'application/vnd.twkb',
        body: Buffer.concat([twkb('LINESTRING(1 1,5 5)'), twkb('LINESTRING(2 2,6 6)')]),
      });
    });
  });

  describe('overriding the built-in types', () => {
    it('overrides application/json for one table only', async () => {
      const response = await get('/ov_json', 'application/json');
      expect({ status: response.status, contentType: response.headers['content-type'], body: response.json() }).toEqual({
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: { overridden: 'true' },
      });
      expect((await get('/people?select=id&id=eq.1', 'application/json')).json()).toEqual([{ id: 1 }]);
    });

    it('overrides application/geo+json for one table; other tables get the built-in FeatureCollection', async () => {
      const lines = await get('/lines?id=eq.1', 'application/geo+json');
      expect({ status: lines.status, contentType: lines.headers['content-type'], body: lines.json() }).toEqual({
        status: 200,
        contentType: 'application/geo+json; charset=utf-8',
        body: {
          crs: { type: 'name', properties: { name: 'EPSG:4326' } },
          type: 'FeatureCollection',
          features: [{ type: 'Feature', geometry: null, properties: { id: 1, name: 'line-1', geom: 'LINESTRING(1 1,5 5)' } }],
        },
      });
      const builtIn = await get('/shop_bles', 'application/geo+json');
      expect({ status: builtIn.status, contentType: builtIn.headers['content-type'], body: builtIn.json() }).toEqual({
        status: 200,
        contentType: 'application/geo+json; charset=utf-8',
        body: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null, properties: { id: 1, name: 'bench' } }] },
      });
    });

    it('overrides text/csv: a BOM, and a Content-Disposition the aggregate sets', async () => {
      const response = await server.fetch('/lines?order=id', { headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, Accept: 'text/csv' } });
      // the BOM is read as bytes: a text decoder drops it
      expect({
        status: response.status,
        contentType: response.headers.get('content-type'),
        disposition: response.headers.get('content-disposition'),
        body: Buffer.from(await response.arrayBuffer()).toString('latin1'),
      }).toEqual({
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        disposition: 'attachment; filename="lines.csv"',
        body: '\xEF\xBB\xBFid,name,geom\n1,line-1,LINESTRING(1 1,5 5)\n2,line-2,LINESTRING(2 2,6 6)\n',
      });
    });

    it('never overrides application/vnd.pgrst.object', async () => {
      const response = await get('/people?select=id,name&id=eq.1', 'application/vnd.pgrst.object');
      expect({ contentType: response.headers['content-type'], body: response.json() }).toEqual({
        contentType: 'application/vnd.pgrst.object+json; charset=utf-8',
        body: { id: 1, name: 'Alice Martin' },
      });
    });

    it('matches a custom text/tab-separated-values, and JSON beside text/plain', async () => {
      const tsv = await get('/people?id=in.(1,5)&order=id', 'text/tab-separated-values');
      expect({ status: tsv.status, contentType: tsv.headers['content-type'], body: tsv.text }).toEqual({
        status: 200,
        contentType: 'text/tab-separated-values',
        body: 'id\tname\tphone\n1\tAlice Martin\t+33 6 11 11 11 11\n5\tBruno Keller\t\n',
      });
      const json = await get('/people?id=eq.1', 'text/plain, application/json');
      expect({ status: json.status, contentType: json.headers['content-type'] }).toEqual({ status: 200, contentType: 'application/json; charset=utf-8' });
    });

    it('explains the statement a handler makes', async () => {
      const response = await get('/lines', 'application/vnd.pgrst.plan+json; for="application/vnd.twkb"; options=verbose');
      expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
        status: 200,
        contentType: 'application/vnd.pgrst.plan+json; for="application/vnd.twkb"; options=verbose; charset=utf-8',
      });
      expect(JSON.stringify(response.json())).toContain('twkb_agg(');
      const scalar = await get('/rpc/return_scalar_xml', 'application/vnd.pgrst.plan+json; for="text/xml"; options=verbose');
      expect({ status: scalar.status, contentType: scalar.headers['content-type'] }).toEqual({
        status: 200,
        contentType: 'application/vnd.pgrst.plan+json; for="text/xml"; options=verbose; charset=utf-8',
      });
      expect(JSON.stringify(scalar.json())).toContain('pgrst_scalar');
    });
  });

  it("does not use a relation's own handlers when a data representation formats one of its columns", async () => {
    expectError(await get('/swatches', 'text/plain'), 406, notAvailable('text/plain'));
    const outfunc = await get('/swatches', 'pg/outfunc');
    expect({ status: outfunc.status, body: outfunc.text }).toEqual({ status: 200, body: '(1,"""0000ff""")\n' });
  });

  it('finds handlers of the schema picked by Accept-Profile, with a domain of any schema', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['/another_table', 'text/plain', 'text/plain; charset=utf-8', 'plain'],
      ['/another_table', 'text/special', 'text/special', 'special'],
      ['/rpc/get_plain_text', 'text/plain', 'text/plain; charset=utf-8', 'plain'],
      ['/rpc/get_special_text', 'text/special', 'text/special', 'special'],
    ];
    for (const [path, accept, contentType, body] of cases) {
      const response = await request(server, path, { Accept: accept, 'Accept-Profile': 'v2' });
      expect({ path, status: response.status, contentType: response.headers['content-type'], profile: response.headers['content-profile'], body: response.text }).toEqual({
        path,
        status: 200,
        contentType,
        profile: 'v2',
        body,
      });
    }
  });

  describe('*/* handlers', () => {
    it('a function answers every type as application/octet-stream unless it sets Content-Type', async () => {
      for (const accept of ['*/*', 'app/bingo', 'text/bango', 'image/boingo', undefined]) {
        const response = await get('/rpc/ret_any_mt', accept);
        expect({ accept, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
          accept,
          status: 200,
          contentType: 'application/octet-stream',
          body: 'any',
        });
      }
      const some = await get('/rpc/ret_some_mt', '*/*');
      expect({ contentType: some.headers['content-type'], body: some.text }).toEqual({ contentType: 'app/groucho', body: 'groucho' });
      const chico = await get('/rpc/ret_some_mt', 'app/chico');
      expect({ contentType: chico.headers['content-type'], body: chico.text }).toEqual({ contentType: 'app/chico', body: 'chico' });
      expect((await get('/rpc/ret_some_mt', 'text/csv')).status).toBe(406);
    });

    it('a table’s aggregate answers every type', async () => {
      const cases: Array<[string, string, string, string]> = [
        ['/some_numbers?val=eq.1', '*/*', 'application/octet-stream', 'anything\n1'],
        ['/some_numbers?val=eq.2', 'magic/number', 'magic/number', 'magic\n2'],
        ['/some_numbers?val=eq.4', 'unknown/unknown', 'application/octet-stream', 'anything\n4'],
        ['/some_numbers?val=eq.5', 'application/json', 'application/octet-stream', 'anything\n5'],
      ];
      for (const [path, accept, contentType, body] of cases) {
        const response = await get(path, accept);
        expect({ path, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({ path, status: 200, contentType, body });
      }
    });
  });

  it('runs no handler for HEAD: only the headers of the negotiated type', async () => {
    for (const path of ['/some_numbers?val=eq.2', '/rpc/get_lines']) {
      const accept = path.startsWith('/rpc') ? 'application/vnd.twkb' : 'magic/number';
      const response = await request(server, path, { Accept: accept }, 'HEAD');
      // the final function, which would have named magic/number, did not run
      expect({ path, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
        path,
        status: 200,
        contentType: path.startsWith('/rpc') ? 'application/vnd.twkb' : 'application/octet-stream',
        body: '',
      });
    }
  });

  describe('a body for the single unnamed parameter', () => {
    it('passes application/octet-stream bytes, text/plain and text/xml whole', async () => {
      const payload = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
      expect(await bytes('/rpc/echo_bytes', { method: 'POST', body: payload, contentType: 'application/octet-stream', accept: 'application/octet-stream' })).toEqual({
        status: 200,
        contentType: 'application/octet-stream',
        body: payload,
      });
      const shout = await server.fetch('/rpc/shout', {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, 'Content-Type': 'text/plain', Accept: 'text/plain' },
        body: 'héllo, world',
      });
      expect({ status: shout.status, contentType: shout.headers.get('content-type'), body: await shout.text() }).toEqual({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: 'you said: héllo, world',
      });
      const xml = await server.fetch('/rpc/xml_root', {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, 'Content-Type': 'text/xml', Accept: 'text/xml' },
        body: '<a>1</a>',
      });
      expect({ status: xml.status, body: await xml.text() }).toEqual({ status: 200, body: '<root><a>1</a></root>' });
    });

    const post = (path: string, contentType: string, body: string | Buffer, accept?: string) =>
      bytes(path, { method: 'POST', contentType, body: Buffer.from(body), ...(accept ? { accept } : {}) });

    it('falls back to the overload whose one unnamed parameter suits the Content-Type', async () => {
      const json = async (body: string) => JSON.parse((await post('/rpc/overloaded_unnamed_param', 'application/json', body)).body.toString()) as unknown;
      expect(await json('{}')).toBe(1);
      expect(await json('{"x": 1, "y": 2}')).toBe(3);
      expect(await json('{"A": 1, "B": 2}')).toEqual({ A: 1, B: 2 });
      // parameters of the Content-Type, even unreadable ones, do not change what it is
      for (const contentType of ['application/json; charset=utf-8', 'application/json; $$ unrecognized-chars=ignored $$']) {
        const response = await post('/rpc/overloaded_unnamed_param', contentType, '{"x": 1, "y": 2}');
        expect({ contentType, status: response.status, type: response.contentType, body: response.body.toString() }).toEqual({
          contentType,
          status: 200,
          type: 'application/json; charset=utf-8',
          body: '3',
        });
      }
      const text = await post('/rpc/overloaded_unnamed_param', 'text/plain', 'unnamed text arg', 'text/plain');
      expect({ status: text.status, contentType: text.contentType, body: text.body.toString() }).toEqual({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: 'unnamed text arg',
      });
      const png = Buffer.from(PNG_HEX, 'hex');
      expect(await post('/rpc/overloaded_unnamed_param', 'application/octet-stream', png, 'application/octet-stream')).toEqual({
        status: 200,
        contentType: 'application/octet-stream',
        body: png,
      });
      // a GET has no body: the overload without parameters, whatever the Content-Type
      for (const contentType of ['text/plain', 'application/octet-stream']) {
        const response = await request(server, '/rpc/overloaded_unnamed_param', { 'Content-Type': contentType });
        expect({ contentType, status: response.status, body: response.text }).toEqual({ contentType, status: 200, body: '1' });
      }
    });

    it('answers 404 PGRST202 naming the parameter type looked for, and invalid XML as PostgreSQL does', async () => {
      const cases: Array<[string, string]> = [
        ['text/plain', 'text'],
        ['text/xml', 'xml'],
        ['application/octet-stream', 'bytea'],
      ];
      for (const [contentType, type] of cases) {
        const response = await post('/rpc/unnamed_int_param', contentType, 'a simple text');
        expect({ contentType, status: response.status, body: JSON.parse(response.body.toString()) as unknown }).toEqual({
          contentType,
          status: 404,
          body: {
            code: 'PGRST202',
            details: `Searched for the function api.unnamed_int_param with a single unnamed ${type} parameter, but no matches were found in the schema cache.`,
            hint: null,
            message: 'Could not find the function api.unnamed_int_param in the schema cache',
          },
        });
      }
      const invalid = await post('/rpc/xml_root', 'text/xml', '<', 'text/xml');
      expect({ status: invalid.status, body: JSON.parse(invalid.body.toString()) as unknown }).toEqual({
        status: 400,
        body: { code: '2200N', details: 'line 1: StartTag: invalid element name\n<\n ^', hint: null, message: 'invalid XML content' },
      });
    });
  });
});
