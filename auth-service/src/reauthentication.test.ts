import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoTrueClient } from '@supabase/auth-js';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startSmtpInbox, type SmtpInbox } from '../../test/smtp-inbox.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('auth-service: reauthentication before a password change (secure password change)', () => {
  let bed: AuthTestbed;
  let inbox: SmtpInbox;
  let project: ServiceTestProject;

  beforeAll(async () => {
    [bed, inbox] = await Promise.all([startAuthTestbed(), startSmtpInbox()]);
    project = await bed.createProject(
      {
        mailer_autoconfirm: true,
        security_update_password_require_reauthentication: true,
        smtp: { host: inbox.host, port: inbox.port, sender_email: 'auth@app.example' },
      },
      'smtp secret',
    );
  });
  afterAll(async () => {
    await bed?.close();
    await inbox?.close();
  });

  const signedUp = async (label: string): Promise<{ auth: GoTrueClient; address: string }> => {
    const auth = bed.client(project);
    const address = email(label);
    expect((await auth.signUp({ email: address, password: 'first password' })).error).toBeNull();
    return { auth, address };
  };
  /** GoTrue asks for a nonce only from sessions older than a day: this one began 25 hours ago. */
  const ageSession = async (auth: GoTrueClient) => {
    const sessionId = decodeJwt((await auth.getSession()).data.session!.access_token).session_id;
    await withClient(project.adminUrl, (admin: pg.Client) => admin.query(`update auth.sessions set created_at = now() - interval '25 hours' where id = $1`, [sessionId]));
  };

  it('changes the password from a recent session without a nonce, as GoTrue does', async () => {
    const { auth } = await signedUp('recent');
    expect((await auth.updateUser({ password: 'second password' })).error).toBeNull();
  });

  it('asks an older session for the mailed nonce, refuses a wrong one, and takes the right one once', async () => {
    const { auth, address } = await signedUp('nonce');
    await ageSession(auth);
    expect((await auth.updateUser({ password: 'second password' })).error).toMatchObject({
      status: 400,
      code: 'reauthentication_needed',
      message: 'Password update requires reauthentication',
    });

    expect((await auth.reauthenticate()).error).toBeNull();
    const mail = await inbox.waitFor(address);
    expect(mail.subject).toBe('Confirm reauthentication');
    const nonce = /code: (\d{6})/i.exec(mail.text)![1]!;

    const wrong = nonce === '000000' ? '111111' : '000000';
    expect((await auth.updateUser({ password: 'second password', nonce: wrong })).error).toMatchObject({
      status: 422,
      code: 'reauthentication_not_valid',
      message: 'Nonce has expired or is invalid',
    });
    expect((await auth.updateUser({ password: 'second password', nonce })).error).toBeNull();
    expect((await bed.client(project).signInWithPassword({ email: address, password: 'second password' })).error).toBeNull();
    expect((await auth.updateUser({ password: 'third password', nonce })).error).toMatchObject({ status: 422, code: 'reauthentication_not_valid' });

    // one mail a minute
    expect((await auth.reauthenticate()).error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
  });

  it('needs no nonce when the project does not ask for it', async () => {
    const { auth } = await signedUp('off');
    await ageSession(auth);
    await bed.configure(project.id, { security_update_password_require_reauthentication: null });
    try {
      expect((await auth.updateUser({ password: 'second password' })).error).toBeNull();
    } finally {
      await bed.configure(project.id, { security_update_password_require_reauthentication: true });
    }
  });
});
