import type { AcceptedMediaType } from './types.ts';

/**
 * The `Accept` header, as PostgREST reads it (wai-extra's parseHttpAccept, then
 * MediaType.decodeMediaType): entries split on `,`, every space removed, `;q=` read as the
 * quality (1 when absent or unreadable; parameters after `q` dropped), then ordered by
 * quality and, for equal qualities, by specificity (parameters count up, `*` counts down),
 * keeping the client's order otherwise. Types are lower-cased; the aliases
 * `application/vnd.pgrst.object` and `application/vnd.pgrst.array` get their `+json` form.
 * No header means `*\/*`. Choosing among them is the planner's work.
 */
export function parseAccept(header: string | undefined): AcceptedMediaType[] {
  if (header === undefined || header.trim() === '') return [{ type: '*/*', parameters: {}, quality: 1 }];
  const entries = header
    .split(',')
    .map((entry) => entry.replaceAll(' ', ''))
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const q = entry.indexOf(';q=');
      const media = q < 0 ? entry : entry.slice(0, q);
      const quality = q < 0 ? 1 : readQuality(entry.slice(q + 3).split(';')[0] ?? '');
      const specificity = count(media, ';') - count(media, '*');
      return { ...decodeMediaType(media, quality), specificity, index };
    });
  entries.sort((a, b) => b.quality - a.quality || b.specificity - a.specificity || a.index - b.index);
  return entries.map(({ type, parameters, quality }) => ({ type, parameters, quality }));
}

/** Haskell's `reads` of a Double: the longest number at the start, else 1. */
function readQuality(text: string): number {
  const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text);
  return m ? Number(m[0]) : 1;
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

const ALIASES: Record<string, string> = {
  'application/vnd.pgrst.object': 'application/vnd.pgrst.object+json',
  'application/vnd.pgrst.array': 'application/vnd.pgrst.array+json',
};

/** `type/subtype;key=value;key="value"` → type and parameters (keys lower-cased, quotes removed). */
export function decodeMediaType(text: string, quality = 1): AcceptedMediaType {
  const [essence = '', ...params] = text.split(';');
  const lower = essence.trim().toLowerCase();
  const parameters = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (key !== '' && !parameters.has(key)) parameters.set(key, value);
  }
  return { type: Object.hasOwn(ALIASES, lower) ? (ALIASES[lower] as string) : lower, parameters: Object.fromEntries(parameters), quality };
}
