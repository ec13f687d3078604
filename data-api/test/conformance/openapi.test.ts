/**
 * The OpenAPI description at the root (docs.postgrest.org "OpenAPI", "Schemas"): Swagger 2.0
 * of the exposed schema picked by Accept-Profile, titled from the schema's comment, listing
 * what the request's role may use (openapi-mode follow-privileges, the default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, startConformanceServer, type ConformanceServer } from './harness.ts';
import { anonymousRequest, expectError, request, type RawResponse } from './read-support.ts';

interface Swagger {
  swagger: string;
  info: { title: string; description: string; version: string };
  host: string;
  basePath: string;
  schemes: string[];
  consumes: string[];
  produces: string[];
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, { required?: string[]; properties: Record<string, Record<string, unknown>>; type: string; description?: string }>;
  parameters: Record<string, Record<string, unknown>>;
}

const swaggerOf = (response: RawResponse): Swagger => {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
    status: 200,
    contentType: 'application/openapi+json; charset=utf-8',
  });
  return response.json() as Swagger;
};

describe('OpenAPI at /', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  it('describes the default schema as Swagger 2.0, titled from its comment', async () => {
    const response = await anonymousRequest(server, '/');
    const doc = swaggerOf(response);
    expect(response.headers['content-profile']).toBe('api');
    const { host, port } = new URL(server.url);
    expect({ swagger: doc.swagger, info: doc.info, host: doc.host, basePath: doc.basePath, schemes: doc.schemes }).toEqual({
      swagger: '2.0',
      info: {
        title: 'Haven API',
        description: 'The homeowner-facing API of Haven: properties, zones, assets, tasks, supplies and logs.',
        version: expect.any(String),
      },
      host: `${host.replace(/:\d+$/, '')}:${port}`,
      basePath: '/',
      schemes: ['http'],
    });
    expect(doc.produces).toEqual(['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv']);
  });

  it('lists the tables, views and functions anon may use, and nothing private', async () => {
    const doc = swaggerOf(await anonymousRequest(server, '/'));
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/', '/tasks', '/properties', '/open_tasks', '/contractors', '/supply_usage', '/activity', '/rpc/search_assets', '/rpc/add']));
    // no grant to anon; private schema; partitions; a function with an unnamed non-JSON parameter; no EXECUTE for anon
    for (const hidden of ['/profiles', '/captures', '/audit_log', '/activity_2024', '/rpc/double_it', '/rpc/secret_number', '/rpc/complete_task']) {
      expect(paths).not.toContain(hidden);
    }
    expect(Object.keys(doc.definitions)).not.toContain('profiles');
  });

  it('lists more to a role with more privileges', async () => {
    const doc = swaggerOf(await request(server, '/', { Authorization: `Bearer ${signToken({ role: 'authenticated', sub: 'someone' })}` }));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/profiles', '/captures', '/rpc/complete_task', '/rpc/touch_property']));
  });

  it('defines each relation with its columns, types, required columns and keys', async () => {
    const doc = swaggerOf(await anonymousRequest(server, '/'));
    const tasks = doc.definitions['tasks'];
    expect(tasks?.type).toBe('object');
    expect(tasks?.required).toEqual(['id', 'property_id', 'title', 'status', 'priority', 'created_by', 'updated_at']);
    expect(tasks?.properties['id']).toEqual({ description: 'Note:\nThis is a Primary Key.<pk/>', format: 'integer', type: 'integer' });
    expect(tasks?.properties['created_by']).toEqual({
      description: "Who wrote the task down\n\nNote:\nThis is a Foreign Key to `people.id`.<fk table='people' column='id'/>",
      format: 'integer',
      type: 'integer',
    });
    expect(tasks?.properties['status']).toMatchObject({ type: 'string', enum: ['todo', 'in_progress', 'done', 'skipped'], default: 'todo' });
    expect(tasks?.properties['labels']).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(doc.definitions['properties']?.description).toBe('Homes tracked in Haven\nEach property belongs to exactly one owner; row-level security shows owners their own.');
    expect(doc.definitions['properties']?.properties['name']).toEqual({ description: 'What the owner calls this home', format: 'character varying', maxLength: 80, type: 'string' });
  });

  it('describes reads of a table with its row filters and the shared parameters', async () => {
    const doc = swaggerOf(await anonymousRequest(server, '/'));
    const get = doc.paths['/people']?.['get'] as { parameters: Array<{ $ref: string }>; responses: Record<string, unknown> };
    expect(get.parameters.map((parameter) => parameter.$ref)).toEqual([
      '#/parameters/rowFilter.people.id',
      '#/parameters/rowFilter.people.name',
      '#/parameters/rowFilter.people.phone',
      '#/parameters/rowFilter.people.is_household',
      '#/parameters/select',
      '#/parameters/order',
      '#/parameters/range',
      '#/parameters/rangeUnit',
      '#/parameters/offset',
      '#/parameters/limit',
      '#/parameters/preferCount',
    ]);
    expect(get.responses['200']).toEqual({ description: 'OK', schema: { items: { $ref: '#/definitions/people' }, type: 'array' } });
    expect(doc.parameters['rowFilter.people.name']).toEqual({ name: 'name', required: false, format: 'text', in: 'query', type: 'string' });
    expect(doc.parameters['select']).toEqual({ name: 'select', description: 'Filtering Columns', required: false, in: 'query', type: 'string' });
  });

  it('describes another exposed schema with Accept-Profile', async () => {
    const response = await anonymousRequest(server, '/', { 'Accept-Profile': 'v2' });
    const doc = swaggerOf(response);
    expect(response.headers['content-profile']).toBe('v2');
    expect(doc.info).toMatchObject({ title: 'Haven API v2', description: '' });
    expect(Object.keys(doc.paths).sort()).toEqual(['/', '/properties', '/rooms', '/rpc/api_version']);
    expect(Object.keys(doc.definitions['properties']?.properties ?? {})).toEqual(['id', 'label', 'city']);
  });

  it('refuses a schema that is not exposed with 406 PGRST106', async () => {
    expectError(await anonymousRequest(server, '/', { 'Accept-Profile': 'private' }), 406, {
      code: 'PGRST106',
      details: null,
      hint: null,
      message: 'The schema must be one of the following: api, v2',
    });
  });

  it('answers HEAD / without a body', async () => {
    const response = await server.fetch('/', { method: 'HEAD' });
    expect({ status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }).toEqual({
      status: 200,
      contentType: 'application/openapi+json; charset=utf-8',
      body: '',
    });
  });

  it('serves application/openapi+json and application/json', async () => {
    for (const accept of ['application/openapi+json', 'application/json']) {
      const doc = swaggerOf(await anonymousRequest(server, '/', { Accept: accept }));
      expect(doc.swagger).toBe('2.0');
    }
  });

  it('refuses a media type it cannot describe the API in with 406 PGRST107', async () => {
    expectError(await anonymousRequest(server, '/', { Accept: 'text/csv' }), 406, {
      code: 'PGRST107',
      details: null,
      hint: null,
      message: 'None of these media types are available: text/csv',
    });
  });
});
