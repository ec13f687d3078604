/**
 * Summarises a V8 .cpuprofile (from `npm run bench:data-api -- --tsx --cpu-prof`): self time per
 * function (file:function) and total (inclusive) time per source file of data-api/src and per
 * package, as % of the samples where the process was not idle.
 *
 *   node --import tsx data-api/bench/profile-summary.ts <file.cpuprofile> [top=25] [function]
 *
 * With a function name (e.g. `writev`), also where its time comes from: the nearest caller
 * outside node's internals, per sample.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, callersOf] = process.argv.slice(2);
process.stdout.on('error', () => process.exit(0));
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code lives: `data-api/src/…`, a package name, `node:…`, or a V8 pseudo-frame. */
function place(url: string): string {
  if (url === '') return '(native)';
  const src = /\/(data-api\/(?:src|bench)\/[^?]*)/.exec(url);
  if (src) return src[1]!;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}
const label = (node: ProfileNode): string => `${place(node.callFrame.url)}:${node.callFrame.functionName || '(anonymous)'}`;

const self = new Map<string, number>();
const callers = new Map<string, number>();
const inclusiveFile = new Map<string, number>();
const inclusiveFunction = new Map<string, number>();
let busy = 0;
let idle = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const node = byId.get(id)!;
  const name = node.callFrame.functionName;
  if (name === '(idle)' || name === '(program)') {
    idle += delta;
    return;
  }
  busy += delta;
  self.set(label(node), (self.get(label(node)) ?? 0) + delta);
  // each file and each function counted once per sample, however deep the recursion
  const files = new Set<string>();
  const functions = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
    const frame = byId.get(current)!;
    files.add(place(frame.callFrame.url));
    functions.add(label(frame));
  }
  if (callersOf !== undefined && name === callersOf) {
    let current = parent.get(id);
    while (current !== undefined && /^(node:|\(native\))/.test(place(byId.get(current)!.callFrame.url))) current = parent.get(current);
    const caller = current === undefined ? '(none)' : label(byId.get(current)!);
    callers.set(caller, (callers.get(caller) ?? 0) + delta);
  }
  for (const key of files) inclusiveFile.set(key, (inclusiveFile.get(key) ?? 0) + delta);
  for (const key of functions) inclusiveFunction.set(key, (inclusiveFunction.get(key) ?? 0) + delta);
});

const print = (title: string, map: Map<string, number>, filter: (key: string) => boolean = () => true): void => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...map].filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, time] of rows) process.stdout.write(`${((time / busy) * 100).toFixed(1).padStart(5)} %  ${key}\n`);
};

process.stdout.write(`busy ${(busy / 1e6).toFixed(1)} s, idle/program ${(idle / 1e6).toFixed(1)} s (percentages are of busy time)\n`);
print('self time by function', self);
print('inclusive time by file or package', inclusiveFile, (key) => !key.startsWith('('));
print('inclusive time by data-api function', inclusiveFunction, (key) => key.startsWith('data-api/'));
if (callersOf !== undefined) print(`callers of ${callersOf} (nearest frame outside node internals)`, callers);
