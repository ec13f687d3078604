import { Errors } from '../errors.ts';

/**
 * `response.headers`, as set by SQL during the request:
 * `[{"Cache-Control": "no-cache"}, {"Set-Cookie": "a=1"}, {"Set-Cookie": "b=2"}]`.
 * Empty or null means none; anything but an array of single-key objects with string values is
 * PGRST111.
 */
export function parseResponseHeadersGuc(text: string | null | undefined): Array<[string, string]> {
  if (text === null || text === undefined || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw Errors.invalidResponseHeaders();
  }
  if (!Array.isArray(parsed)) throw Errors.invalidResponseHeaders();
  return parsed.map((item): [string, string] => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw Errors.invalidResponseHeaders();
    const entries = Object.entries(item as Record<string, unknown>);
    const entry = entries[0];
    if (entries.length !== 1 || !entry || typeof entry[1] !== 'string' || !isHeaderName(entry[0]) || !isHeaderValue(entry[1])) {
      throw Errors.invalidResponseHeaders();
    }
    return [entry[0], entry[1]];
  });
}

/** `response.status`: empty or null means unchanged; else an HTTP status 100–599, or PGRST112. */
export function parseResponseStatusGuc(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  const trimmed = text.trim();
  const status = /^\d{3}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(status >= 100 && status <= 599)) throw Errors.invalidResponseStatus();
  return status;
}

/** RFC 9110 token: what Node accepts as a header name. */
function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}

/** No control characters but horizontal tab: Node refuses CR/LF (header injection) in values. */
function isHeaderValue(value: string): boolean {
  return !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}
