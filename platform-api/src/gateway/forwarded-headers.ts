import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those undici
 * refuses to be given: none of them crosses the gateway in either direction.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Also not forwarded upstream: the data API's host is not the client's, and Node answers 100-continue itself. */
const NOT_FORWARDED_UPSTREAM = new Set([...HOP_BY_HOP, 'host', 'expect', 'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/** The gateway's own headers win over the data API's. */
const NOT_FORWARDED_DOWNSTREAM = new Set([...HOP_BY_HOP, 'x-request-id']);

export interface ForwardingFacts {
  requestId: string;
  /** The address of the peer that connected to us. */
  peerAddress: string;
  /** http or https, as the client used it (behind Caddy, from its X-Forwarded-Proto). */
  protocol: string;
  /** The Host the client asked for. */
  host: string | undefined;
  /** The request's API key: it becomes the bearer token when the client sent none. */
  apikey: string;
}

/** The request headers for the data API. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardingFacts): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || NOT_FORWARDED_UPSTREAM.has(name) || listed?.has(name)) continue;
    headers[name] = value;
  }
  const forwardedFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${facts.peerAddress}` : facts.peerAddress;
  headers['x-forwarded-proto'] = facts.protocol;
  if (facts.host !== undefined) headers['x-forwarded-host'] = facts.host;
  headers['x-request-id'] = facts.requestId;
  // Supabase's gateway does the same: a key alone authenticates as the key's role
  if (incoming.authorization === undefined) headers['authorization'] = `Bearer ${facts.apikey}`;
  return headers;
}

/** The data API's response headers for the client. */
export function downstreamResponseHeaders(upstream: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = connectionListed(upstream.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || NOT_FORWARDED_DOWNSTREAM.has(name) || listed?.has(name)) continue;
    headers[name] = value;
  }
  return headers;
}

/** Further hop-by-hop headers a sender named in `Connection`. */
function connectionListed(connection: string | string[] | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const text = Array.isArray(connection) ? connection.join(',') : connection;
  const lower = text.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  return new Set(lower.split(',').map((token) => token.trim()).filter((token) => token !== ''));
}
