/**
 * CORS ("API" › CORS): PostgREST answers preflights itself and lets any origin read its
 * responses, unless server-cors-allowed-origins lists the origins allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { request } from './read-support.ts';

const EXPOSED = 'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit';

/** An OPTIONS request, as a browser sends before a request scripts may not send on their own. */
async function options(server: ConformanceServer, path: string, headers: Record<string, string>): Promise<{ status: number; text: string; headers: Record<string, string> }> {
  const response = await server.fetch(path, { method: 'OPTIONS', headers });
  return { status: response.status, text: await response.text(), headers: Object.fromEntries(response.headers.entries()) };
}

function corsHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));
}

describe('CORS with the default policy (any origin)', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer();
  });
  afterAll(() => server?.close());

  it('answers a preflight itself: any origin, the methods, the requested headers, cached for a day', async () => {
    const response = await options(server, '/properties', {
      Origin: 'http://haven.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type, prefer, x-client-info',
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(corsHeaders(response.headers)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD',
      'access-control-allow-headers': 'Authorization, authorization, content-type, prefer, x-client-info, Accept, Accept-Language, Content-Language',
      'access-control-max-age': '86400',
    });
  });

  it('gives the preflight the same answer for any path, even one that does not exist', async () => {
    const response = await options(server, '/no_such_table', { Origin: 'http://haven.example', 'Access-Control-Request-Method': 'GET' });
    expect(response.status).toBe(200);
    // wai-cors's safelisted headers, as PostgREST sends them: Content-Type only when asked for
    expect(response.headers['access-control-allow-headers']).toBe('Authorization, Accept, Accept-Language, Content-Language');
  });

  it('lets scripts of any origin read responses and the headers PostgREST sets, errors included', async () => {
    const read = await request(server, '/properties?select=id&limit=1', { Origin: 'http://haven.example', Prefer: 'count=exact' });
    expect(read.status).toBe(206);
    expect(corsHeaders(read.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED });

    const failed = await request(server, '/no_such_table', { Origin: 'http://haven.example' });
    expect(failed.status).toBe(404);
    expect(corsHeaders(failed.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED });
  });

  it('adds nothing to a request without Origin, and leaves an OPTIONS that is not a preflight to the API', async () => {
    expect(corsHeaders((await request(server, '/properties?select=id&limit=1')).headers)).toEqual({});
    const options = await server.fetch('/properties', { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE');
  });
});

describe('CORS with server-cors-allowed-origins', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ env: { PGRST_SERVER_CORS_ALLOWED_ORIGINS: 'http://haven.example, https://app.haven.example' } });
  });
  afterAll(() => server?.close());

  it('echoes a listed origin, with credentials allowed', async () => {
    const preflight = await options(server, '/properties', { Origin: 'https://app.haven.example', 'Access-Control-Request-Method': 'PATCH' });
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.haven.example');
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');

    const read = await request(server, '/properties?select=id&limit=1', { Origin: 'http://haven.example' });
    expect(corsHeaders(read.headers)).toEqual({
      'access-control-allow-origin': 'http://haven.example',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSED,
    });
  });

  it('gives another origin no CORS headers: its preflight reaches the API, its reads are not shared', async () => {
    const preflight = await options(server, '/properties', { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'DELETE' });
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    expect(preflight.headers['allow']).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE');

    const read = await request(server, '/properties?select=id&limit=1', { Origin: 'http://evil.example' });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-expose-headers']).toBeUndefined();
  });
});
