import { Errors } from '../errors.ts';

/**
 * Request headers PostgREST reads besides Prefer, Accept and Range: the profile headers
 * that pick the schema, and cookies.
 */

/**
 * `Accept-Profile` for GET, HEAD and OPTIONS, `Content-Profile` for POST, PUT, PATCH and
 * DELETE; the first of `schemas` when absent; 406 PGRST106 when it names a schema that is not
 * exposed.
 */
export function pickSchema(method: string, headers: Record<string, string>, schemas: readonly string[]): string {
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
  const profile = headers[writes ? 'content-profile' : 'accept-profile'];
  if (profile === undefined) return schemas[0] ?? '';
  if (!schemas.includes(profile)) throw Errors.schemaNotExposed([...schemas]);
  return profile;
}

/** `Cookie: a=1; b=2` → `{a: '1', b: '2'}` (values as sent; the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === '' || cookies.has(name)) continue;
    cookies.set(name, eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  return Object.fromEntries(cookies);
}
