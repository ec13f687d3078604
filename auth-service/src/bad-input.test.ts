import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startSmtpInbox, type SmtpInbox } from '../../test/smtp-inbox.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('auth-service: bad input and rate limits, in GoTrue error shapes', () => {
  let bed: AuthTestbed;
  let inbox: SmtpInbox;
  let project: ServiceTestProject;
  let limited: ServiceTestProject;

  beforeAll(async () => {
    [bed, inbox] = await Promise.all([startAuthTestbed({ bodyLimitBytes: 16 * 1024 }), startSmtpInbox()]);
    [project, limited] = await Promise.all([
      bed.createProject(),
      bed.createProject({
        smtp: { host: inbox.host, port: inbox.port, sender_email: 'auth@app.example' },
        rate_limits: { token_per_ip: 3, emails_per_hour: 1, per_email: 100, signup_per_ip: 100, recover_per_ip: 100 },
      }),
    ]);
  });
  afterAll(async () => {
    await bed?.close();
    await inbox?.close();
  });

  async function countUsers(): Promise<number> {
    return withClient(project.adminUrl, async (client) => Number((await client.query('select count(*) from auth.users')).rows[0].count));
  }

  /** A raw request; `version` adds auth-js's X-Supabase-Api-Version header. */
  async function send(path: string, init: { method?: string; body?: string; contentType?: string; version?: boolean; apikey?: string } = {}) {
    const headers: Record<string, string> = { apikey: init.apikey ?? project.anonKey };
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    if (init.version) headers['x-supabase-api-version'] = '2024-01-01';
    const response = await fetch(`${bed.base}/auth/${project.id}${path}`, { method: init.method ?? 'POST', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  it('answers malformed JSON with 400 bad_json, in the old shape and in the 2024-01-01 one', async () => {
    const old = await send('/signup', { body: '{"email": ', contentType: 'application/json' });
    expect(old.status).toBe(400);
    expect(old.body).toEqual({ code: 400, error_code: 'bad_json', msg: expect.any(String) });
    expect(old.headers.get('x-sb-error-code')).toBe('bad_json');
    const versioned = await send('/signup', { body: '{"email": ', contentType: 'application/json', version: true });
    expect(versioned.body).toEqual({ code: 'bad_json', message: expect.any(String) });
  });

  it('answers missing and mistyped fields with validation errors', async () => {
    expect(await send('/signup', { body: JSON.stringify({ email: email('nopass') }), contentType: 'application/json', version: true })).toMatchObject({
      status: 422,
      body: { code: 'validation_failed', message: 'Signup requires a valid password' },
    });
    expect((await send('/signup', { body: JSON.stringify({ email: ['not', 'a', 'string'], password: 'whatever pw' }), contentType: 'application/json' })).status).toBe(400);
    expect((await send('/signup', { body: '[1, 2]', contentType: 'application/json' })).status).toBe(400);
    expect((await send('/recover', { body: '{}', contentType: 'application/json', version: true })).body).toMatchObject({ code: 'validation_failed' });
    expect((await send('/verify', { body: JSON.stringify({ type: 'nonsense', token: '123456' }), contentType: 'application/json' })).body).toMatchObject({ error_code: 'validation_failed' });
  });

  it('answers invalid emails with 400 validation_failed, as GoTrue', async () => {
    for (const bad of ['plainaddress', 'a@b', 'two@@example.com', 'spaces in@example.com']) {
      const answer = await send('/signup', { body: JSON.stringify({ email: bad, password: 'valid password' }), contentType: 'application/json', version: true });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed', message: 'Unable to validate email address: invalid format' } });
    }
  });

  it('answers huge bodies with 413 and wrong content types with 415', async () => {
    const huge = await send('/signup', { body: JSON.stringify({ email: email('huge'), password: 'valid password', data: { blob: 'x'.repeat(64 * 1024) } }), contentType: 'application/json' });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error_code: 'request_too_large' });
    const text = await send('/signup', { body: 'email=a@example.com', contentType: 'text/plain', version: true });
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ code: 'validation_failed' });
  });

  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) with 400 validation_failed, wherever it is, and creates no user', async () => {
    const usersBefore = await countUsers();
    const nul = await send('/signup', { body: JSON.stringify({ email: `nul\u0000${email('x')}`, password: 'valid password' }), contentType: 'application/json' });
    expect(nul).toMatchObject({ status: 400, body: { code: 400, error_code: 'validation_failed', msg: expect.stringContaining('NUL') } });
    expect(nul.headers.get('x-sb-error-code')).toBe('validation_failed');
    const escaped = await send('/signup', { body: `{"email":"${email('esc')}","password":"valid password","data":{"note":"a\\u0000b"}}`, contentType: 'application/json', version: true });
    expect(escaped).toMatchObject({ status: 400, body: { code: 'validation_failed', message: 'body field "data.note" contains a NUL character (\\u0000), which cannot be stored' } });
    const surrogate = await send('/signup', { body: `{"email":"${email('sur')}","password":"valid \\ud800 password"}`, contentType: 'application/json', version: true });
    expect(surrogate).toMatchObject({ status: 400, body: { code: 'validation_failed', message: expect.stringContaining('unpaired UTF-16 surrogate') } });
    const token = await send('/token?grant_type=password', { body: JSON.stringify({ email: email('tok'), password: 'pass\u0000word' }), contentType: 'application/json', version: true });
    expect(token).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const form = await send('/token?grant_type=password', { body: `email=a%00b%40example.com&password=x`, contentType: 'application/x-www-form-urlencoded', version: true });
    expect(form).toMatchObject({ status: 400, body: { code: 'validation_failed', message: expect.stringContaining('"email"') } });
    const query = await send('/verify?token=abc%00&type=signup&redirect_to=x', { method: 'GET', version: true });
    expect(query).toMatchObject({ status: 400, body: { code: 'validation_failed', message: expect.stringContaining('query parameter "token"') } });
    expect(await countUsers()).toBe(usersBefore);
  });

  it("answers /token in OAuth's shape where GoTrue does", async () => {
    const grant = await send('/token', { body: '{}', contentType: 'application/json' });
    expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type', error_description: expect.any(String) } });
    const refresh = await send('/token?grant_type=refresh_token', { body: '{}', contentType: 'application/json' });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'refresh_token required' } });
    // an OAuth client's form post works too
    const form = await send('/token?grant_type=password', { body: `email=${encodeURIComponent(email('form'))}&password=nope`, contentType: 'application/x-www-form-urlencoded', version: true });
    expect(form).toMatchObject({ status: 400, body: { code: 'invalid_credentials' } });
  });

  it('answers unknown routes and missing bearer tokens in GoTrue shape', async () => {
    expect(await send('/no-such-endpoint', { method: 'GET', version: true })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await send('/user', { method: 'GET', version: true })).toMatchObject({ status: 401, body: { code: 'no_authorization' } });
    expect(await send('/user', { method: 'GET', version: true, apikey: 'not-a-key' })).toMatchObject({ status: 401, body: { code: 'invalid_api_key' } });
  });

  it('limits sign-in attempts per address (429 over_request_rate_limit)', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i += 1) {
      last = await fetch(`${bed.base}/auth/${limited.id}/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: limited.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
        body: JSON.stringify({ email: email('guess'), password: 'guessing' }),
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last!.json()).toEqual({ code: 'over_request_rate_limit', message: expect.any(String) });
  });

  it('limits mails per address (429 over_email_send_rate_limit)', async () => {
    const address = email('mailed');
    const post = (path: string) =>
      fetch(`${bed.base}/auth/${limited.id}${path}`, {
        method: 'POST',
        headers: { apikey: limited.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
        body: JSON.stringify({ email: address, password: 'mailed password' }),
      });
    expect((await post('/signup')).status).toBe(200);
    const second = await post('/recover');
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: 'over_email_send_rate_limit' });
  });
});
