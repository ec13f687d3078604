import { describe, expect, it } from 'vitest';
import { AuthError } from '../errors.ts';
import { AuthRateLimiter } from './rate-limits.ts';

const limits = { window_seconds: 60, token_per_ip: 2, signup_per_ip: 5, recover_per_ip: 5, otp_per_ip: 5, verify_per_ip: 5, mfa_per_ip: 5, per_email: 3, emails_per_hour: 1 };

describe('auth rate limits', () => {
  it('counts per project, endpoint and address, and forgets after the window', () => {
    let now = 0;
    const limiter = new AuthRateLimiter(() => now);
    limiter.checkRequest('p1', 'token', '1.1.1.1', undefined, limits);
    limiter.checkRequest('p1', 'token', '1.1.1.1', undefined, limits);
    expect(() => limiter.checkRequest('p1', 'token', '1.1.1.1', undefined, limits)).toThrow(AuthError);
    // another address, endpoint or project is counted apart
    limiter.checkRequest('p1', 'token', '2.2.2.2', undefined, limits);
    limiter.checkRequest('p1', 'signup', '1.1.1.1', undefined, limits);
    limiter.checkRequest('p2', 'token', '1.1.1.1', undefined, limits);
    now = 61_000;
    limiter.checkRequest('p1', 'token', '1.1.1.1', undefined, limits);
  });

  it('counts an email address across addresses, and mails per hour', () => {
    const limiter = new AuthRateLimiter(() => 0);
    for (const ip of ['a', 'b', 'c']) limiter.checkRequest('p', 'otp', ip, 'Someone@Example.com', limits);
    let error: unknown;
    try {
      limiter.checkRequest('p', 'otp', 'd', 'someone@example.com', limits);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ status: 429, code: 'over_request_rate_limit', retryAfterSeconds: 60 });
    expect(limiter.checkMail('p', 'x@example.com', limits)).toBeUndefined();
    expect(limiter.checkMail('p', 'x@example.com', limits)).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
  });

  it('treats 0 as no limit', () => {
    const limiter = new AuthRateLimiter(() => 0);
    for (let i = 0; i < 100; i += 1) limiter.checkRequest('p', 'token', 'ip', undefined, { ...limits, token_per_ip: 0 });
  });
});
