/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests of /metrics endpoints:
 * prom-client has no parser, and the npm parsers are unmaintained. Anything Prometheus would
 * refuse, or that breaks the format's rules (a TYPE after its samples, a family split in two,
 * a series twice, a histogram's buckets not cumulative), throws with the line it is on.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusFamily {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: PrometheusSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): PrometheusFamily[] {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, PrometheusFamily>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: PrometheusFamily | undefined;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    const switchTo = (name: string): PrometheusFamily => {
      if (current?.name === name) return current;
      if (closed.has(name)) fail(`the samples of ${name} are not together`);
      if (current) closed.add(current.name);
      current = families.get(name) ?? { name, type: 'untyped', help: undefined, samples: [] };
      families.set(name, current);
      return current;
    };
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!meta) return; // a comment
      const [, keyword, name, rest = ''] = meta;
      if (!NAME.test(name!)) fail('not a metric name');
      const family = switchTo(name!);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail('a second HELP');
        if (/\\[^\\n]/.test(rest.replaceAll('\\\\', ''))) fail('an escape HELP may not hold');
        family.help = rest.replaceAll('\\n', '\n').replaceAll('\\\\', '\\');
      } else {
        if (!TYPES.has(rest as MetricType)) fail('not a metric type');
        if (family.samples.length > 0) fail('TYPE after samples');
        if (family.type !== 'untyped' || typedFamilies.has(family)) fail('a second TYPE');
        family.type = rest as MetricType;
        typedFamilies.add(family);
      }
      return;
    }
    const sample = parseSampleLine(line, fail);
    const family = switchTo(familyOf(sample.name, current, families));
    if (!belongs(sample.name, family)) fail(`a sample named ${sample.name} in ${family.type} ${family.name}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail('the same series twice');
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
    if (family.type === 'counter') {
      for (const sample of family.samples) {
        if (sample.name === family.name && (sample.value < 0 || Number.isNaN(sample.value))) throw new Error(`${family.name}: a counter below zero`);
      }
    }
  }
  return [...families.values()];
}

const typedFamilies = new WeakSet<PrometheusFamily>();

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: PrometheusFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesNamed(families, name).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

export function samplesNamed(families: PrometheusFamily[], name: string): PrometheusSample[] {
  return families.flatMap((family) => family.samples.filter((sample) => sample.name === name));
}

function parseSampleLine(line: string, fail: (why: string) => never): PrometheusSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('not a sample');
  const name = nameMatch![0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1]!)) fail('a malformed label');
      at += labelMatch![0].length;
      let value = '';
      for (;;) {
        const char = line[at];
        if (char === undefined) fail('an unterminated label value');
        if (char === '"') break;
        if (char === '\\') {
          const next = line[at + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else fail('an escape a label value may not hold');
          at += 2;
        } else {
          value += char;
          at += 1;
        }
      }
      at += 1;
      const label = labelMatch![1]!;
      if (label in labels) fail(`label ${label} twice`);
      labels[label] = value;
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') fail('a label list not closed');
    }
    at += 1;
  }
  const rest = line.slice(at);
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) fail('no value');
  return { name, labels, value: parseValue(valueMatch![1]!, fail) };
}

function parseValue(text: string, fail: (why: string) => never): number {
  // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf in any case
  // (prom-client writes a NaN event-loop-lag as `Nan` before the first measurement)
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail('not a number');
  return Number(text);
}

/** The family a sample belongs to: its own name, or the histogram/summary it is a part of. */
function familyOf(name: string, current: PrometheusFamily | undefined, families: Map<string, PrometheusFamily>): string {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const family = families.get(base);
    if (family && (family.type === 'histogram' || family.type === 'summary')) return base;
  }
  return current && belongs(name, current) ? current.name : name;
}

function belongs(name: string, family: PrometheusFamily): boolean {
  if (family.type === 'histogram') return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(name);
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`].includes(name);
  return name === family.name;
}

function checkHistogram(family: PrometheusFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, entry] of series) {
    const sorted = [...entry.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) if (sorted[i]![1] < sorted[i - 1]![1]) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    if (entry.count !== undefined && entry.count !== sorted.at(-1)![1]) throw new Error(`${family.name}${key}: _count is not the +Inf bucket`);
  }
}
