import { LaunchDbError } from '@launchdb/common';

export interface PlatformCredentials {
  /** LAUNCHDB_URL, else http://127.0.0.1:<LAUNCHDB_PORT>. */
  url: string;
  /** LAUNCHDB_TOKEN: an operator token from POST /api/auth/login. */
  token?: string | undefined;
  /** Used to log in when no token is given. */
  email?: string | undefined;
  password?: string | undefined;
}

const REQUEST_TIMEOUT_MS = 120_000;

/**
 * The control-plane API as the CLI calls it: an operator token (given, or obtained by logging
 * in), JSON in and out, and the API's own `{error: {code, message}}` turned into a LaunchDbError.
 */
export class PlatformClient {
  readonly #url: string;
  #token: string | undefined;
  readonly #email: string | undefined;
  readonly #password: string | undefined;

  constructor(credentials: PlatformCredentials) {
    this.#url = credentials.url.replace(/\/+$/, '');
    this.#token = credentials.token;
    this.#email = credentials.email;
    this.#password = credentials.password;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.#operatorToken();
    return this.#send<T>(method, path, body, token);
  }

  async #operatorToken(): Promise<string> {
    if (this.#token) return this.#token;
    if (!this.#email || !this.#password) {
      throw new LaunchDbError(
        'no_credentials',
        401,
        'set LAUNCHDB_TOKEN to an operator token, or LAUNCHDB_ADMIN_EMAIL and LAUNCHDB_ADMIN_PASSWORD (environment or ./.env)',
      );
    }
    const login = await this.#send<{ access_token: string }>('POST', '/api/auth/login', { email: this.#email, password: this.#password }, undefined);
    this.#token = login.access_token;
    return this.#token;
  }

  async #send<T>(method: string, path: string, body: unknown, token: string | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new LaunchDbError('unreachable', 503, `cannot reach the platform at ${this.#url} (${cause}); is \`launchdb up\` running? (LAUNCHDB_URL)`);
    }
    const text = await response.text();
    const parsed = text === '' ? undefined : safeJson(text);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new LaunchDbError(error?.code ?? 'http_error', response.status, error?.message ?? `${method} ${path} answered ${response.status}`);
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
