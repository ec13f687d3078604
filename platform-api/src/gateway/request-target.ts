/** Where a gateway request goes on the data API, and the `apikey` its query carried. */
export interface UpstreamTarget {
  /** Path and query for the data API, exactly as the client sent them minus the gateway prefix and `apikey`. */
  path: string;
  /** The first `apikey` query parameter, decoded; undefined when there is none. */
  queryApiKey: string | undefined;
}

/**
 * Strips the first `prefixSegments` path segments (`/db/<id>` is 2, `/p/<id>/rest/v1` is 4) from
 * the raw request URL and takes `apikey` out of the query. Everything else is kept byte for
 * byte — order, encoding, repeated parameters — because the data API reads the query as
 * filters, and an `apikey` left in it would be taken for a filter on a column `apikey`.
 */
export function upstreamTarget(rawUrl: string, prefixSegments: number): UpstreamTarget {
  const queryStart = rawUrl.indexOf('?');
  const pathEnd = queryStart === -1 ? rawUrl.length : queryStart;
  let cut = 0;
  for (let segment = 0; segment < prefixSegments; segment += 1) {
    const next = rawUrl.indexOf('/', cut + 1);
    cut = next === -1 || next > pathEnd ? pathEnd : next;
    if (cut === pathEnd) break;
  }
  let path = rawUrl.slice(cut, pathEnd);
  if (path === '') path = '/';
  if (queryStart === -1) return { path, queryApiKey: undefined };
  const query = rawUrl.slice(queryStart + 1);
  // the common case, no apikey in the query (nor an escaped name that could decode to it), costs no parsing
  if (!query.includes('apikey') && !query.includes('%')) return { path: query === '' ? path : `${path}?${query}`, queryApiKey: undefined };
  let queryApiKey: string | undefined;
  const kept: string[] = [];
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    const name = decodeQueryComponent(equals === -1 ? part : part.slice(0, equals));
    if (name !== 'apikey') {
      kept.push(part);
      continue;
    }
    if (queryApiKey === undefined) queryApiKey = decodeQueryComponent(equals === -1 ? '' : part.slice(equals + 1));
  }
  return { path: kept.length === 0 ? path : `${path}?${kept.join('&')}`, queryApiKey };
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}
