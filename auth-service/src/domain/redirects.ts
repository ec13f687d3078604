/**
 * Where a mailed link may lead after verification: the project's site URL, anything on its host,
 * or an entry of its allow list (exact, or with `*` for any characters but `.` and `/` and `**`
 * for any characters, as GoTrue's globs). Anything else falls back to the site URL, as GoTrue
 * does, so a link can never hand tokens to a foreign site.
 */
export function allowedRedirect(requested: string | undefined, siteUrl: string, allowList: string[]): string {
  if (requested === undefined || requested === '') return siteUrl;
  let target: URL;
  try {
    target = new URL(requested);
  } catch {
    return siteUrl;
  }
  const site = new URL(siteUrl);
  if ((target.protocol === 'http:' || target.protocol === 'https:') && target.hostname === site.hostname) return requested;
  for (const entry of allowList) {
    if (entry === requested || globToRegExp(entry).test(requested)) return requested;
  }
  return siteUrl;
}

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let found = compiled.get(glob);
  if (found !== undefined) return found;
  let pattern = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i += 1;
    } else if (c === '*') pattern += '[^./]*';
    else if (c === '?') pattern += '[^./]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  found = new RegExp(`^${pattern}$`);
  if (compiled.size > 1000) compiled.clear();
  compiled.set(glob, found);
  return found;
}

/** Adds query parameters (`?code=`) or a fragment (`#access_token=…`, `#error=…`) to the redirect. */
export function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return target.toString();
}

export function withFragment(url: string, params: Record<string, string>): string {
  const base = url.split('#')[0]!;
  return `${base}#${new URLSearchParams(params).toString()}`;
}
