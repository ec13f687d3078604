import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '@launchdb/testkit/prometheus-text';
import { BusiestProjects, registerHttpMetrics, requestRouteGroup } from './http-metrics.ts';

describe('HTTP metrics', () => {
  it('names each path its route group and project', () => {
    expect(requestRouteGroup('/p/abc/rest/v1/notes?select=*')).toEqual({ group: 'db', project: 'abc' });
    expect(requestRouteGroup('/p/abc/auth/v1/token')).toEqual({ group: 'auth', project: 'abc' });
    expect(requestRouteGroup('/storage/abc/object/a/b')).toEqual({ group: 'storage', project: 'abc' });
    expect(requestRouteGroup('/db/abc/')).toEqual({ group: 'db', project: 'abc' });
    expect(requestRouteGroup('/api/projects')).toEqual({ group: 'api', project: undefined });
    expect(requestRouteGroup('/console')).toEqual({ group: 'other', project: undefined });
  });

  it('counts requests by group, status class and project, folding all but the busiest projects into other', async () => {
    const app = Fastify();
    const registry = registerHttpMetrics(app, { service: 'test', topProjects: 2, rankEveryMs: 3_600_000 });
    app.get('/p/:project/rest/v1/*', async (request, reply) => reply.code((request.query as { fail?: string }).fail ? 503 : 200).send({}));
    const hit = (project: string, times: number, query = '') => Promise.all(Array.from({ length: times }, () => app.inject(`/p/${project}/rest/v1/x${query}`)));
    await hit('early', 1);
    await hit('busy', 5);
    await hit('busier', 7);
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    const text = metrics.body;
    // the whole exposition, Node's own metrics included, is what Prometheus accepts
    expect(parsePrometheusText(text).length).toBeGreaterThan(10);
    expect(text).toContain('# TYPE launchdb_http_requests_total counter');
    // until the first ranking the first comers hold the two places
    expect(sample(text, 'launchdb_http_requests_total', { group: 'db', status_class: '2xx', project: 'early' })).toBe(1);
    expect(sample(text, 'launchdb_http_requests_total', { group: 'db', status_class: '2xx', project: 'busy' })).toBe(5);
    expect(sample(text, 'launchdb_http_requests_total', { group: 'db', status_class: '2xx', project: 'other' })).toBe(7);
    expect(sample(text, 'launchdb_http_request_duration_seconds_count', { group: 'db', status_class: '2xx' })).toBe(13);
    await hit('busy', 1, '?fail=1');
    expect(sample((await app.inject('/metrics')).body, 'launchdb_http_requests_total', { group: 'db', status_class: '5xx', project: 'busy' })).toBe(1);
    expect((await app.inject('/metrics')).body).not.toContain('project="busier"');
    expect(registry.contentType).toContain('version=0.0.4');
    await app.close();
  });

  it('gives the places to the busiest projects of the last period at each ranking', () => {
    const projects = new BusiestProjects(2);
    for (const [project, times] of [['early', 1], ['busy', 5], ['busier', 7]] as const) for (let i = 0; i < times; i++) projects.label(project);
    projects.rank();
    expect([projects.label('busier'), projects.label('busy'), projects.label('early'), projects.label('late')]).toEqual(['busier', 'busy', 'other', 'other']);
  });
});

/** One sample's value from Prometheus' text exposition format, found by its name and labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}
