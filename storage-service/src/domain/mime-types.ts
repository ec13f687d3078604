/**
 * Whether a content type is allowed by a bucket's allow-list, as Supabase matches it: exact
 * types (`image/png`) and wildcards (`image/*`), ignoring parameters (`; charset=utf-8`) and case.
 */
export function isMimeTypeAllowed(contentType: string, allowed: readonly string[] | null): boolean {
  if (allowed === null || allowed.length === 0) return true;
  const [type, subtype] = essence(contentType).split('/');
  return allowed.some((pattern) => {
    const [allowedType, allowedSubtype] = essence(pattern).split('/');
    return allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype);
  });
}

function essence(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** A content type a client may send: `type/subtype` with optional parameters. */
export function isValidContentType(contentType: string): boolean {
  return /^[\w.+-]+\/[\w.+*-]+(\s*;.*)?$/.test(contentType.trim());
}
