import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LaunchDbError } from '@launchdb/common';

export interface PlatformCredentials {
  /** LAUNCHDB_URL, else http://127.0.0.1:<LAUNCHDB_PORT>. */
  url: string;
  /** LAUNCHDB_TOKEN: an operator token from POST /api/auth/login. */
  token?: string | undefined;
  /** Used to log in when no token is given. */
  email?: string | undefined;
  password?: string | undefined;
  /** How long one request may take; backups and restores of big projects take hours. */
  timeoutMs?: number | undefined;
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
  readonly #timeoutMs: number;

  constructor(credentials: PlatformCredentials) {
    this.#url = credentials.url.replace(/\/+$/, '');
    this.#token = credentials.token;
    this.#email = credentials.email;
    this.#password = credentials.password;
    this.#timeoutMs = credentials.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  async request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    const token = await this.#operatorToken();
    try {
      return await this.#send<T>(method, path, body, token, extraHeaders);
    } catch (error) {
      // a token we logged in for (or remembered) that has expired, or whose operator was
      // recreated (a restored platform has its own operators): log in once more
      if (!(error instanceof LaunchDbError) || error.status !== 401 || !this.#renewable) throw error;
      this.#renewable = false;
      this.#skipCache = true;
      this.#token = undefined;
      return this.#send<T>(method, path, body, await this.#operatorToken(), extraHeaders);
    }
  }

  /** The token came from a login or the cache, not from LAUNCHDB_TOKEN: a 401 may be answered by logging in again. */
  #renewable = false;
  #skipCache = false;

  async #operatorToken(): Promise<string> {
    if (this.#token) return this.#token;
    const cache = this.#cacheFile();
    if (cache && !this.#skipCache) {
      const cached = await readFile(cache, 'utf8').catch(() => undefined);
      if (cached) {
        this.#token = cached.trim();
        this.#renewable = true;
        return this.#token;
      }
    }
    if (!this.#email || !this.#password) {
      throw new LaunchDbError(
        'no_credentials',
        401,
        'set LAUNCHDB_TOKEN to an operator token, or LAUNCHDB_ADMIN_PASSWORD (and LAUNCHDB_ADMIN_EMAIL, unless the operator is the default one) in the environment or ./.env',
      );
    }
    const login = await this.#send<{ access_token: string }>('POST', '/api/auth/login', { email: this.#email, password: this.#password }, undefined);
    this.#token = login.access_token;
    this.#renewable = true;
    if (cache) await remember(cache, login.access_token);
    return this.#token;
  }

  /**
   * Logins are rate limited, and a script runs the CLI many times: the token a login gave is
   * kept (0600, in the user's cache folder) until it expires, per platform URL and operator.
   */
  #cacheFile(): string | undefined {
    if (!this.#email || process.env.LAUNCHDB_NO_TOKEN_CACHE) return undefined;
    const folder = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
    const key = createHash('sha256').update(`${this.#url}\n${this.#email.toLowerCase()}`).digest('hex').slice(0, 32);
    return join(folder, 'launchdb', `operator-token-${key}`);
  }

  async #send<T>(method: string, path: string, body: unknown, token: string | undefined, extraHeaders?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
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

async function remember(file: string, token: string): Promise<void> {
  try {
    await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, token, { mode: 0o600 });
    await rename(temporary, file);
  } catch {
    // no cache folder we can write: every run logs in
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
