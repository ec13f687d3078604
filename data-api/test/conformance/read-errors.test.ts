/**
 * Every client error of a read, side by side: the status PostgREST gives it and a JSON body of
 * exactly `{code, details, hint, message}` (docs.postgrest.org "Errors"). HEAD gets the status
 * without the body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { expectError, request, type PgrstErrorBody } from './read-support.ts';

interface ErrorCase {
  what: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  body: PgrstErrorBody;
}

const cases: ErrorCase[] = [
  {
    what: 'a path deeper than /relation',
    path: '/tasks/1',
    status: 404,
    body: { code: 'PGRST125', details: null, hint: null, message: 'Invalid path specified in request URL' },
  },
  {
    what: 'a missing table',
    path: '/gardens',
    status: 404,
    body: { code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'api.gardens' in the schema cache" },
  },
  {
    what: 'a missing column',
    path: '/people?select=email',
    status: 400,
    body: { code: '42703', details: null, hint: null, message: 'column people.email does not exist' },
  },
  {
    what: 'a value the column type cannot read',
    path: '/people?id=gt.one',
    status: 400,
    body: { code: '22P02', details: null, hint: null, message: 'invalid input syntax for type integer: "one"' },
  },
  {
    what: 'an unknown operator',
    path: '/people?id=between.1',
    status: 400,
    body: {
      code: 'PGRST100',
      details: 'unexpected "b" expecting "not" or operator (eq, gt, ...)',
      hint: null,
      message: '"failed to parse filter (between.1)" (line 1, column 1)',
    },
  },
  {
    what: 'a negative limit',
    path: '/people?limit=-5',
    status: 416,
    body: { code: 'PGRST103', details: 'Limit should be greater than or equal to zero.', hint: null, message: 'Requested range not satisfiable' },
  },
  {
    what: 'a schema that is not exposed',
    path: '/people',
    headers: { 'Accept-Profile': 'private' },
    status: 406,
    body: { code: 'PGRST106', details: null, hint: null, message: 'The schema must be one of the following: api, v2' },
  },
  {
    what: 'a media type that cannot be produced',
    path: '/people',
    headers: { Accept: 'application/pdf' },
    status: 406,
    body: { code: 'PGRST107', details: null, hint: null, message: 'None of these media types are available: application/pdf' },
  },
  {
    what: 'a filter on a resource that is not embedded',
    path: '/people?select=id&tasks.id=eq.1',
    status: 400,
    body: {
      code: 'PGRST108',
      details: null,
      hint: "Verify that 'tasks' is included in the 'select' query parameter.",
      message: "'tasks' is not an embedded resource in this request",
    },
  },
  {
    what: 'a singular object requested of several rows',
    path: '/people?select=id',
    headers: { Accept: 'application/vnd.pgrst.object+json' },
    status: 406,
    body: { code: 'PGRST116', details: 'The result contains 5 rows', hint: null, message: 'JSON object requested, multiple (or no) rows returned' },
  },
  {
    what: 'a related order on a to-many embed',
    path: '/people?select=id,tasks!created_by(id)&order=tasks(id)',
    status: 400,
    body: {
      code: 'PGRST118',
      details: "'people' and 'tasks' do not form a many-to-one or one-to-one relationship",
      hint: null,
      message: "A related order on 'tasks' is not possible",
    },
  },
  {
    // an embed's name with another operator than is.null names a column, as in PostgREST
    what: 'an operator other than is.null on an embed, read as a filter on a column of that name',
    path: '/people?select=id,tasks!created_by(id)&tasks=gt.1',
    status: 400,
    body: {
      code: '42703',
      details: null,
      hint: null,
      message: 'column people.tasks does not exist',
    },
  },
  {
    what: 'an embed without a relationship',
    path: '/people?select=id,supplies(id)',
    status: 400,
    body: {
      code: 'PGRST200',
      details: "Searched for a foreign key relationship between 'people' and 'supplies' in the schema 'api', but no matches were found.",
      hint: null,
      message: "Could not find a relationship between 'people' and 'supplies' in the schema cache",
    },
  },
  {
    what: 'an embed with two relationships',
    path: '/people?select=id,tasks(id)',
    status: 300,
    body: {
      code: 'PGRST201',
      details: [
        { cardinality: 'one-to-many', embedding: 'people with tasks', relationship: 'tasks_assigned_to_fkey using people(id) and tasks(assigned_to)' },
        { cardinality: 'one-to-many', embedding: 'people with tasks', relationship: 'tasks_created_by_fkey using people(id) and tasks(created_by)' },
      ],
      hint: "Try changing 'tasks' to one of the following: 'tasks!tasks_assigned_to_fkey', 'tasks!tasks_created_by_fkey'. Find the desired relationship in the 'details' key.",
      message: "Could not embed because more than one relationship was found for 'people' and 'tasks'",
    },
  },
];

describe('read errors', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  it.each(cases)('$status $body.code for $what', async ({ path, headers, status, body }) => {
    expectError(await request(server, path, headers), status, body);
  });

  it('HEAD gets the status and content type of the error without its body', async () => {
    for (const { path, headers, status } of cases) {
      const response = await request(server, path, headers, 'HEAD');
      expect({ path, status: response.status, contentType: response.headers['content-type'], body: response.text }).toEqual({
        path,
        status,
        contentType: 'application/json; charset=utf-8',
        body: '',
      });
    }
  });

  it('postgrest-js reports the same body as its error', async () => {
    const { data, error, status } = await server.service.from('people').select('id,supplies(id)');
    expect({ data, status }).toEqual({ data: null, status: 400 });
    expect(error).toEqual(cases.find((c) => c.body.code === 'PGRST200')?.body);
  });
});
