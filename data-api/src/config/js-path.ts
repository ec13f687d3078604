/**
 * PostgREST's JSPath for `jwt-role-claim-key`: `.role`, `."https://example.com/claims".role`,
 * `.realm_access.roles[0]`. A key is `[A-Za-z0-9_$@]+` or a double-quoted string; each key may be
 * followed by one `[n]` array index.
 */
export type JsPathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number };
export type JsPath = JsPathStep[];

export class JsPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsPathError';
  }
}

export function parseJsPath(text: string): JsPath {
  const steps: JsPath = [];
  let position = 0;
  const fail = (expected: string): never => {
    throw new JsPathError(`failed to parse role-claim-key value (${text}): at column ${position + 1}, expected ${expected}`);
  };
  if (text[position] !== '.') fail('period (.)');
  position += 1;
  if (position === text.length) return steps;
  for (;;) {
    if (text[position] === '"') {
      const close = text.indexOf('"', position + 1);
      if (close < 0) fail('closing quote (")');
      steps.push({ kind: 'key', key: text.slice(position + 1, close) });
      position = close + 1;
    } else {
      const key = /^[A-Za-z0-9_$@]+/.exec(text.slice(position));
      if (!key) fail('attribute name [a..z0..9_$@]');
      steps.push({ kind: 'key', key: key![0] });
      position += key![0].length;
    }
    if (text[position] === '[') {
      const index = /^\[(\d+)\]/.exec(text.slice(position));
      if (!index) fail('array index [0..n]');
      steps.push({ kind: 'index', index: Number(index![1]) });
      position += index![0].length;
    }
    if (position === text.length) return steps;
    if (text[position] !== '.') fail('period (.) or end of input');
    position += 1;
  }
}

/** The value at `path` inside `value`, or undefined when a step does not exist. */
export function walkJsPath(value: unknown, path: JsPath): unknown {
  let current: unknown = value;
  for (const step of path) {
    if (step.kind === 'key') {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, step.key)) return undefined;
      current = (current as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(current)) return undefined;
      current = current[step.index];
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Back to PostgREST's text form, e.g. for logging the effective config. */
export function formatJsPath(path: JsPath): string {
  if (path.length === 0) return '.';
  return path
    .map((step) => (step.kind === 'index' ? `[${step.index}]` : /^[A-Za-z0-9_$@]+$/.test(step.key) ? `.${step.key}` : `."${step.key}"`))
    .join('');
}
