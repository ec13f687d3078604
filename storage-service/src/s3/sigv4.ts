import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What an `Authorization: AWS4-HMAC-SHA256 …` header names. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** `20250101` */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string): SigV4Authorization | undefined {
  const match = AUTHORIZATION.exec(header);
  if (match === null) return undefined;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]!, signedHeaders: match[5]!.split(';'), signature: match[6]! };
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 canonicalises query names and values. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const name = decodeURIComponent((equals < 0 ? part : part.slice(0, equals)).replace(/\+/g, '%20'));
      const value = equals < 0 ? '' : decodeURIComponent(part.slice(equals + 1).replace(/\+/g, '%20'));
      return [encodeRfc3986(name), encodeRfc3986(value)] as const;
    })
    .filter(([name]) => name !== 'X-Amz-Signature');
  pairs.sort(([a, aValue], [b, bValue]) => (a < b ? -1 : a > b ? 1 : aValue < bValue ? -1 : aValue > bValue ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export interface SignedRequest {
  method: string;
  /** The path as the client sent it (still percent-encoded): S3 signs it without normalising. */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  payloadHash: string;
}

/** The signature a request should carry under `secret`, and its string to sign (for chunk signatures). */
export function expectedSignature(request: SignedRequest, auth: SigV4Authorization, amzDate: string, secret: string): { signature: string; key: Buffer; scope: string } {
  const headers = auth.signedHeaders.map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = [request.method, request.rawPath, canonicalQuery(request.rawQuery), headers.join(''), auth.signedHeaders.join(';'), request.payloadHash].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = signingKey(secret, auth.date, auth.region, auth.service);
  return { signature: createHmac('sha256', key).update(stringToSign).digest('hex'), key, scope };
}

export function signaturesMatch(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** `20250101T120000Z` as a time, or undefined. */
export function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  if (match === null) return undefined;
  const [, y, m, d, hh, mm, ss] = match;
  return Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh), Number(mm), Number(ss));
}

/** The signature of one aws-chunked chunk, chained from the previous one (the seed: the header's). */
export function chunkSignature(key: Buffer, amzDate: string, scope: string, previous: string, chunk: Buffer): string {
  const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha256Hex(''), sha256Hex(chunk)].join('\n');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
