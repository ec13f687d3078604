import type { Count, Preferences } from './types.ts';

/**
 * The `Prefer` header (RFC 7240, PostgREST's Preferences.fromHeaders): comma-separated
 * tokens, from one header or several (joined with `, `); for each preference the first
 * token naming one of its values wins. Tokens that are not known values are `invalid`
 * (an error only under `handling=strict`, which the caller checks), except `max-affected=…`
 * which is never invalid (a non-integer is just ignored) and `timezone=…`, valid when
 * Postgres knows the zone (`timezones`, from pg_timezone_names; any non-empty zone when not
 * given): an unknown zone is ignored, or refused under `handling=strict`, as in PostgREST.
 */

const RESOLUTION = ['merge-duplicates', 'ignore-duplicates'] as const;
const RETURN = ['representation', 'minimal', 'headers-only'] as const;
const PARAMS = ['single-object'] as const;
const COUNT: readonly Count[] = ['exact', 'planned', 'estimated'];
const TX = ['commit', 'rollback'] as const;
const MISSING = ['default', 'null'] as const;
const HANDLING = ['strict', 'lenient'] as const;

const KNOWN = new Set<string>([
  ...RESOLUTION.map((v) => `resolution=${v}`),
  ...RETURN.map((v) => `return=${v}`),
  ...PARAMS.map((v) => `params=${v}`),
  ...COUNT.map((v) => `count=${v}`),
  ...TX.map((v) => `tx=${v}`),
  ...MISSING.map((v) => `missing=${v}`),
  ...HANDLING.map((v) => `handling=${v}`),
]);

export function parsePreferences(header: string | undefined, timezones?: ReadonlySet<string>): Preferences {
  const tokens = (header ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');

  const pick = <V extends string>(name: string, values: readonly V[]): V | undefined => {
    for (const token of tokens) {
      for (const value of values) if (token === `${name}=${value}`) return value;
    }
    return undefined;
  };
  const firstWithPrefix = (prefix: string): string | undefined => tokens.find((t) => t.startsWith(prefix))?.slice(prefix.length);

  const timezoneText = firstWithPrefix('timezone=');
  const timezone = timezoneText === undefined || timezoneText === '' || (timezones !== undefined && !timezones.has(timezoneText)) ? undefined : timezoneText;
  const maxAffectedText = firstWithPrefix('max-affected=');
  const maxAffectedNumber = maxAffectedText !== undefined && /^-?\d+$/.test(maxAffectedText) ? Number(maxAffectedText) : undefined;
  const maxAffected = maxAffectedNumber !== undefined && Number.isSafeInteger(maxAffectedNumber) ? maxAffectedNumber : undefined;

  const preferences: Preferences = {
    return: pick('return', RETURN),
    count: pick('count', COUNT),
    resolution: pick('resolution', RESOLUTION),
    missing: pick('missing', MISSING),
    handling: pick('handling', HANDLING),
    tx: pick('tx', TX),
    params: pick('params', PARAMS),
    maxAffected,
    timezone,
    understood: [],
    invalid: tokens.filter(
      (t) => !KNOWN.has(t) && !(t.startsWith('timezone=') && timezone !== undefined) && !t.startsWith('max-affected='),
    ),
  };

  // In the order of PostgREST's Preference-Applied header.
  const understood: Array<string | undefined> = [
    preferences.resolution && `resolution=${preferences.resolution}`,
    preferences.missing && `missing=${preferences.missing}`,
    preferences.return && `return=${preferences.return}`,
    preferences.params && `params=${preferences.params}`,
    preferences.count && `count=${preferences.count}`,
    preferences.tx && `tx=${preferences.tx}`,
    preferences.handling && `handling=${preferences.handling}`,
    preferences.timezone && `timezone=${preferences.timezone}`,
    preferences.handling === 'strict' && preferences.maxAffected !== undefined ? `max-affected=${preferences.maxAffected}` : undefined,
  ];
  preferences.understood = understood.filter((u): u is string => u !== undefined);
  return preferences;
}
