import { describe, expect, it } from 'vitest';
import { AuthErrors, renderAuthError } from './errors.ts';

describe("GoTrue's error shapes", () => {
  it('answers auth-js (X-Supabase-Api-Version: 2024-01-01) with {code, message}', () => {
    expect(renderAuthError(AuthErrors.invalidCredentials(), '2024-01-01')).toEqual({
      status: 400,
      headers: { 'x-sb-error-code': 'invalid_credentials' },
      body: { code: 'invalid_credentials', message: 'Invalid login credentials' },
    });
  });

  it('answers older clients with {code: status, error_code, msg}', () => {
    expect(renderAuthError(AuthErrors.userAlreadyExists(), undefined).body).toEqual({ code: 422, error_code: 'user_already_exists', msg: 'User already registered' });
    expect(renderAuthError(AuthErrors.userAlreadyExists(), 'garbage').body).toMatchObject({ code: 422 });
  });

  it("keeps OAuth's shape on /token where GoTrue does", () => {
    expect(renderAuthError(AuthErrors.unsupportedGrantType(), '2024-01-01').body).toEqual({ error: 'unsupported_grant_type', error_description: 'unsupported_grant_type' });
  });

  it('carries weak password reasons and retry hints', () => {
    expect(renderAuthError(AuthErrors.weakPassword('too short', ['length']), '2024-01-01').body).toEqual({ code: 'weak_password', message: 'too short', weak_password: { reasons: ['length'] } });
    expect(renderAuthError(AuthErrors.rateLimited(12), undefined).headers).toMatchObject({ 'retry-after': '12', 'x-sb-error-code': 'over_request_rate_limit' });
  });
});
