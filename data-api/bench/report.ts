import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { LoadResult } from './load.ts';
import type { Scenario } from './scenarios.ts';

/** The targets. */
export const TARGETS = {
  /** data-api req/s ÷ floor req/s, on the lookup and the embedded list. */
  minRatio: 0.8,
  /** data-api p50 − floor p50, in ms. */
  maxOverheadMs: 0.3,
  idleRssMb: 60,
  loadRssMb: 120,
} as const;

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  postgres: string;
  kernel: string;
}

export function describeMachine(postgres: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(cpuinfo)?.[1]?.trim();
  const details = [
    field('cpu family') && field('model') ? `family ${field('cpu family')} model ${field('model')}` : undefined,
    field('cpu MHz') ? `${Math.round(Number(field('cpu MHz')))} MHz` : undefined,
    / hypervisor( |$)/m.test(field('flags') ?? '') ? 'virtual machine' : undefined,
  ].filter(Boolean);
  const name = field('model name') ?? cpus()[0]?.model ?? 'unknown';
  const model = details.length > 0 ? `${name} (${details.join(', ')})` : name;
  let kernel = 'unknown';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // not Linux
  }
  return { cpu: model.trim(), cores: cpus().length, memoryGb: totalmem() / 1024 ** 3, node: process.version, postgres, kernel };
}

export interface ScenarioFigures {
  scenario: Scenario;
  /** 10 connections: throughput. */
  loaded: { dataApi: LoadResult; floor: LoadResult };
  /** 1 connection: latency without queueing. */
  sequential: { dataApi: LoadResult; floor: LoadResult };
}

export interface ScenarioPeak {
  scenario: string;
  dataApiMb: number;
  floorMb: number;
}

export interface MemoryFigures {
  idleRssMb: number;
  /** The private part of the idle RSS (RssAnon): the node binary's file pages are shared between processes. */
  idleAnonMb: number;
  /** The largest of the per-scenario peaks. */
  peakRssMb: number;
  peaks: ScenarioPeak[];
  /** Largest VmRSS seen by sampling every 100 ms (a cross-check of VmHWM). */
  sampledPeakRssMb: number;
  idleAfterLoadRssMb: number;
  floorIdleRssMb: number;
  floorPeakRssMb: number;
}

export interface BenchFigures {
  machine: Machine;
  date: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  sequentialSeconds: number;
  dbPool: number;
  /** How the servers ran, e.g. `node main.js (esbuild bundle)`. */
  runner: string;
  scenarios: ScenarioFigures[];
  memory: MemoryFigures;
}

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

export function verdicts(figures: BenchFigures): Verdict[] {
  const list: Verdict[] = [];
  for (const { scenario, loaded, sequential } of figures.scenarios) {
    const ratio = loaded.dataApi.requestsPerSecond / loaded.floor.requestsPerSecond;
    if (scenario.name !== 'insert') {
      list.push({ target: `${scenario.name}: req/s ≥ ${pct(TARGETS.minRatio)} of the floor`, measured: pct(ratio), pass: ratio >= TARGETS.minRatio });
    }
    const overhead = sequential.dataApi.p50 - sequential.floor.p50;
    list.push({ target: `${scenario.name}: p50 overhead ≤ ${TARGETS.maxOverheadMs} ms (1 connection)`, measured: `${ms(overhead)} ms`, pass: overhead <= TARGETS.maxOverheadMs });
  }
  list.push({ target: `idle RSS ≤ ${TARGETS.idleRssMb} MB`, measured: `${mb(figures.memory.idleRssMb)} MB`, pass: figures.memory.idleRssMb <= TARGETS.idleRssMb });
  list.push({ target: `RSS under load ≤ ${TARGETS.loadRssMb} MB`, measured: `${mb(figures.memory.peakRssMb)} MB`, pass: figures.memory.peakRssMb <= TARGETS.loadRssMb });
  return list;
}

/** Cores used by other processes above which a run counts as disturbed. */
export const SHARED_MACHINE_CORES = 0.2;

const foreign = (dataApi: LoadResult, floor: LoadResult): string => `${dataApi.foreignCores.toFixed(2)} / ${floor.foreignCores.toFixed(2)}`;
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;
const ms = (value: number): string => value.toFixed(2);
const mb = (value: number): string => value.toFixed(1);
const rps = (value: number): string => Math.round(value).toString();

/** The figures as Markdown tables (printed, and written into BENCH.md). */
export function renderFigures(figures: BenchFigures): string {
  const { machine, memory } = figures;
  const lines: string[] = [];
  lines.push(`Run of ${figures.date}.`, '');
  lines.push('| machine | |', '|---|---|');
  lines.push(`| CPU | ${machine.cpu} |`);
  lines.push(`| cores | ${machine.cores} |`);
  lines.push(`| memory | ${machine.memoryGb.toFixed(1)} GB |`);
  lines.push(`| Node | ${machine.node} |`);
  lines.push(`| PostgreSQL | ${machine.postgres} (embedded, same machine) |`);
  lines.push(`| kernel | Linux ${machine.kernel} |`);
  lines.push(`| servers | ${figures.runner} |`);
  lines.push('');
  lines.push(
    `Throughput: ${figures.connections} connections, ${figures.durationSeconds} s per run after a ${figures.warmupSeconds} s warm-up; ` +
      `latency: 1 connection, ${figures.sequentialSeconds} s per run; db-pool ${figures.dbPool} on both servers.`,
    '',
  );
  lines.push(`| request | data-api req/s | floor req/s | ratio | data-api p50 | floor p50 | p50 diff (${figures.connections} conn.) | data-api p99 | floor p99 | server CPU per request | other load |`);
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { scenario, loaded } of figures.scenarios) {
    const { dataApi, floor } = loaded;
    lines.push(
      `| ${scenario.title} | ${rps(dataApi.requestsPerSecond)} | ${rps(floor.requestsPerSecond)} | ${pct(dataApi.requestsPerSecond / floor.requestsPerSecond)} | ` +
        `${ms(dataApi.p50)} ms | ${ms(floor.p50)} ms | ${ms(dataApi.p50 - floor.p50)} ms | ${ms(dataApi.p99)} ms | ${ms(floor.p99)} ms | ${Math.round(dataApi.serverCpuMicros)} / ${Math.round(floor.serverCpuMicros)} µs | ${foreign(dataApi, floor)} |`,
    );
  }
  lines.push('');
  lines.push('| request, 1 connection | data-api req/s | floor req/s | data-api p50 | floor p50 | **overhead (p50 diff)** | data-api p99 | floor p99 | other load |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { scenario, sequential } of figures.scenarios) {
    const { dataApi, floor } = sequential;
    lines.push(
      `| ${scenario.title} | ${rps(dataApi.requestsPerSecond)} | ${rps(floor.requestsPerSecond)} | ${ms(dataApi.p50)} ms | ${ms(floor.p50)} ms | ` +
        `**${ms(dataApi.p50 - floor.p50)} ms** | ${ms(dataApi.p99)} ms | ${ms(floor.p99)} ms | ${foreign(dataApi, floor)} |`,
    );
  }
  lines.push('');
  lines.push(
    '*server CPU per request*: user + system CPU time of the server process (data-api / floor) divided by the responses. ' +
      '*other load*: CPU used during the runs by processes outside the bench (data-api runs / floor runs), in cores of the ' +
      `${machine.cores}; above ${SHARED_MACHINE_CORES} the machine was shared and the figures are less reliable.`,
  );
  lines.push('');
  lines.push('| memory (RSS of the process) | data-api | floor |', '|---|---:|---:|');
  lines.push(`| idle, after start-up and the schema cache load | ${mb(memory.idleRssMb)} MB | ${mb(memory.floorIdleRssMb)} MB |`);
  lines.push(`| of which private (RssAnon; the rest is node's shared file pages) | ${mb(memory.idleAnonMb)} MB | |`);
  for (const peak of memory.peaks) lines.push(`| peak under load, ${peak.scenario} (VmHWM) | ${mb(peak.dataApiMb)} MB | ${mb(peak.floorMb)} MB |`);
  lines.push(`| peak under load, sampled every 100 ms over every run | ${mb(memory.sampledPeakRssMb)} MB | |`);
  lines.push(`| idle again, 3 s after the last run | ${mb(memory.idleAfterLoadRssMb)} MB | |`);
  lines.push('');
  lines.push('| target | measured | |', '|---|---:|---|');
  for (const verdict of verdicts(figures)) lines.push(`| ${verdict.target} | ${verdict.measured} | ${verdict.pass ? 'PASS' : '**FAIL**'} |`);
  const problems = figures.scenarios.flatMap(({ scenario, loaded, sequential }) =>
    [loaded.dataApi, loaded.floor, sequential.dataApi, sequential.floor]
      .filter((result) => result.unexpected > 0 || result.errors > 0)
      .map((result) => `${scenario.name}: ${result.unexpected} unexpected statuses, ${result.errors} errors`),
  );
  const busy = figures.scenarios.flatMap(({ scenario, loaded, sequential }) =>
    [loaded.dataApi, loaded.floor, sequential.dataApi, sequential.floor].some((result) => result.foreignCores > SHARED_MACHINE_CORES) ? [scenario.name] : [],
  );
  if (busy.length > 0) problems.push(`other processes used more than ${SHARED_MACHINE_CORES} cores during ${busy.join(', ')}`);
  if (problems.length > 0) lines.push('', `Warnings: ${problems.join('; ')}.`);
  return lines.join('\n');
}

const START = '<!-- bench:results:start (written by `npm run bench:data-api`) -->';
const END = '<!-- bench:results:end -->';

/** Replaces the results section of BENCH.md (between its markers), keeping the rest of the file. */
export async function writeResults(file: string, markdown: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = `# data-api benchmark\n\n## Results\n\n${START}\n${END}\n`;
  }
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const section = `${START}\n${markdown}\n${END}`;
  text = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + END.length) : `${text.trimEnd()}\n\n## Results\n\n${section}\n`;
  await writeFile(file, text);
}
