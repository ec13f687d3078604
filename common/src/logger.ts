import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths whose values must never reach a log line, wherever they appear in a logged object.
 * Request bodies are not logged at all; these cover headers and configs passed to log calls.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'masterKey',
  '*.masterKey',
  'req.headers.authorization',
  'req.headers.apikey',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Query parameters that carry credentials: signed-URL tokens, browsers' apikeys, OAuth-style tokens and codes. */
const CREDENTIAL_PARAMETERS = /([?&](?:token|apikey|access_token|refresh_token|token_hash|code|password)=)[^&#]*/gi;

/** A request URL with the values of its credential parameters replaced. */
export function withoutCredentials(url: string): string {
  return url.replace(CREDENTIAL_PARAMETERS, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  id?: string;
  ip?: string;
}

/**
 * Fastify logs each request with its URL: signed URLs, mailed links and browsers' `?apikey=`
 * carry secrets there, so every service's request line goes through this.
 */
function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return { method: request.method, url: withoutCredentials(request.url), id: request.id, remoteAddress: request.ip };
}

export function createLogger(options: { level: string; name: string; destination?: pino.DestinationStream }): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level,
    name: options.name,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}
