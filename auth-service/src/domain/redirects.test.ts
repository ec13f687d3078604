import { describe, expect, it } from 'vitest';
import { allowedRedirect, withFragment, withQuery } from './redirects.ts';

describe('redirects after a mailed link', () => {
  const site = 'https://app.example.com/';
  const allow = ['https://*.preview.example.com/**', 'myapp://callback', 'http://localhost:3000/auth/*'];

  it('falls back to the site URL when none or a foreign one is asked for', () => {
    expect(allowedRedirect(undefined, site, allow)).toBe(site);
    expect(allowedRedirect('https://evil.example/steal', site, allow)).toBe(site);
    expect(allowedRedirect('not a url', site, allow)).toBe(site);
    expect(allowedRedirect('javascript:alert(1)', site, allow)).toBe(site);
  });

  it("allows the site's own host and the allow list's patterns", () => {
    expect(allowedRedirect('https://app.example.com/welcome?x=1', site, allow)).toBe('https://app.example.com/welcome?x=1');
    expect(allowedRedirect('https://pr-12.preview.example.com/a/b', site, allow)).toBe('https://pr-12.preview.example.com/a/b');
    expect(allowedRedirect('myapp://callback', site, allow)).toBe('myapp://callback');
    expect(allowedRedirect('http://localhost:3000/auth/done', site, allow)).toBe('http://localhost:3000/auth/done');
  });

  it('keeps `*` within one label or path segment', () => {
    expect(allowedRedirect('https://a.b.preview.example.com/', site, allow)).toBe(site);
    expect(allowedRedirect('http://localhost:3000/auth/a/b', site, allow)).toBe(site);
    expect(allowedRedirect('https://preview.example.com.evil.example/', site, allow)).toBe(site);
  });

  it('adds a code to the query and a session to the fragment', () => {
    expect(withQuery('https://app.example.com/cb?x=1', { code: 'abc' })).toBe('https://app.example.com/cb?x=1&code=abc');
    expect(withFragment('https://app.example.com/cb#old', { access_token: 't', type: 'signup' })).toBe('https://app.example.com/cb#access_token=t&type=signup');
  });
});
