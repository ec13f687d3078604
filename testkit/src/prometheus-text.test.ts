import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from '@launchdb/common/metrics';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

describe('Prometheus text exposition reader', () => {
  it('reads what prom-client writes: types, help, escaped labels, histograms', async () => {
    const registry = new Registry();
    new Counter({ name: 'jobs_total', help: 'Jobs done\nby kind', labelNames: ['kind'], registers: [registry] }).inc({ kind: 'say "hi" \\ back' }, 3);
    new Histogram({ name: 'wait_seconds', help: 'Wait', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.map((family) => [family.name, family.type])).toEqual([['jobs_total', 'counter'], ['wait_seconds', 'histogram']]);
    expect(families[0]!.help).toBe('Jobs done\nby kind');
    expect(sampleValue(families, 'jobs_total', { kind: 'say "hi" \\ back' })).toBe(3);
    expect(sampleValue(families, 'wait_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(sampleValue(families, 'wait_seconds_bucket', { le: '+Inf' })).toBe(1);
  });

  it.each([
    ['a value that is no number', 'up one\n'],
    ['a TYPE after the samples', 'up 1\n# TYPE up gauge\n'],
    ['a family split in two', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n'],
    ['the same series twice', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['an unterminated label value', 'a{x="1} 1\n'],
    ['a bad escape', 'a{x="\\t"} 1\n'],
    ['no final line feed', 'a 1'],
    ['buckets that shrink', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a negative counter', '# TYPE c counter\nc -1\n'],
  ])('refuses %s', (_why, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
