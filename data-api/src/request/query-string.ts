/**
 * Splitting a raw query string the way PostgREST (http-types' `parseQueryReplacePlus True`)
 * does: pairs are separated by `&` *or* `;`, the key ends at the first `=`, and each side
 * is percent-decoded after the split, `+` meaning a space. A malformed `%` escape is kept
 * as written; invalid UTF-8 becomes U+FFFD.
 */

export interface QueryPair {
  key: string;
  /** undefined for a key without `=` (which PostgREST ignores everywhere but in `select`'s lookup). */
  value: string | undefined;
}

export function splitQueryString(raw: string): QueryPair[] {
  const text = raw.startsWith('?') ? raw.slice(1) : raw;
  if (text === '') return [];
  const pieces = text.split(/[&;]/);
  if (pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map((piece) => {
    const eq = piece.indexOf('=');
    if (eq < 0) return { key: decodeComponent(piece), value: undefined };
    return { key: decodeComponent(piece.slice(0, eq)), value: decodeComponent(piece.slice(eq + 1)) };
  });
}

/**
 * PostgREST's canonical query string (`qsCanonical`, for `Content-Location`): the decoded pairs
 * sorted by name (a key without `=` has an empty value), the values of a repeated name joined
 * with `,`, each side percent-encoded but for letters, digits and `-_.~` (urlEncodeVars).
 */
export function canonicalQuery(raw: string): string {
  const pairs = splitQueryString(raw).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const grouped = new Map<string, string[]>();
  for (const { key, value } of pairs) grouped.set(key, [...(grouped.get(key) ?? []), value ?? '']);
  return [...grouped].map(([key, values]) => `${urlEncode(key)}=${values.map(urlEncode).join(',')}`).join('&');
}

function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** `urlDecode True`: `+` → space, `%XX` → byte, anything else as is; then UTF-8. */
export function decodeComponent(text: string): string {
  return percentDecode(text, true);
}

/** `%XX` → byte (a malformed escape is kept as written), `+` → space when asked; then UTF-8. */
export function percentDecode(text: string, plusAsSpace: boolean): string {
  if (!text.includes('%') && !(plusAsSpace && text.includes('+'))) return text;
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const hex = b === 0x25 && i + 2 < bytes.length ? String.fromCharCode(bytes[i + 1] as number, bytes[i + 2] as number) : '';
    if (plusAsSpace && b === 0x2b) {
      out[n++] = 0x20;
    } else if (HEX.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n).toString('utf8');
}
