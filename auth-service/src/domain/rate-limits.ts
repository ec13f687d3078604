import type { AuthRateLimits } from '@launchdb/common/auth-settings';
import { AuthErrors, type AuthError } from '../errors.ts';

export type LimitedEndpoint = 'token' | 'signup' | 'recover' | 'otp' | 'verify' | 'mfa';

interface Window {
  count: number;
  resetsAt: number;
}

/** Keys counted at once; the oldest windows are dropped first when there are more. */
const MAX_KEYS = 100_000;

/**
 * In-memory fixed-window counters of one process, per project: per client address on each
 * endpoint, per email address across them, and mails sent per address per hour. Each call
 * counts; the error says when to retry.
 */
export class AuthRateLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  checkRequest(projectId: string, endpoint: LimitedEndpoint, ip: string, email: string | undefined, limits: AuthRateLimits): void {
    const windowMs = limits.window_seconds * 1000;
    const perIp = limits[`${endpoint}_per_ip`];
    const overIp = this.#count(`${projectId}|${endpoint}|ip|${ip}`, perIp, windowMs);
    if (overIp !== undefined) throw AuthErrors.rateLimited(overIp);
    if (email !== undefined && email !== '') {
      const overEmail = this.#count(`${projectId}|email|${email.toLowerCase()}`, limits.per_email, windowMs);
      if (overEmail !== undefined) throw AuthErrors.rateLimited(overEmail);
    }
  }

  /** Counts one request against a limit of its own key (an MFA factor), over the project's window. */
  checkKey(projectId: string, key: string, limit: number, limits: AuthRateLimits): void {
    const over = this.#count(`${projectId}|key|${key}`, limit, limits.window_seconds * 1000);
    if (over !== undefined) throw AuthErrors.rateLimited(over);
  }

  /** Counts one mail to the address; throws over_email_send_rate_limit when it is one too many. */
  checkMail(projectId: string, email: string, limits: AuthRateLimits): AuthError | undefined {
    const over = this.#count(`${projectId}|mail|${email.toLowerCase()}`, limits.emails_per_hour, 3_600_000);
    return over === undefined ? undefined : AuthErrors.emailRateLimited(over);
  }

  /** Seconds until the window ends when over the limit; undefined when allowed (or the limit is off). */
  #count(key: string, limit: number, windowMs: number): number | undefined {
    if (limit === 0) return undefined;
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.resetsAt <= now) {
      if (window !== undefined) this.#windows.delete(key);
      window = { count: 0, resetsAt: now + windowMs };
      if (this.#windows.size >= MAX_KEYS) this.#evict(now);
      this.#windows.set(key, window);
    }
    window.count += 1;
    if (window.count > limit) return Math.max(1, Math.ceil((window.resetsAt - now) / 1000));
    return undefined;
  }

  #evict(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetsAt <= now || this.#windows.size >= MAX_KEYS) this.#windows.delete(key);
      if (this.#windows.size < MAX_KEYS * 0.9) break;
    }
  }
}
