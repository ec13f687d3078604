import { describe, expect, it } from 'vitest';
import { createLogger } from '@launchdb/common';
import { defaultAuthServiceSettings } from '../config.ts';
import { AuthMailer } from './mailer.ts';
import { resolveProjectConfig } from './project-config.ts';

const values = {
  ConfirmationURL: 'http://127.0.0.1:8000/auth/demo/verify?token=abc123secret&type=recovery',
  Token: '123456',
  TokenHash: 'abc123secret',
  SiteURL: 'http://localhost:3000',
  Email: 'someone@example.com',
  NewEmail: '',
  RedirectTo: 'http://localhost:3000',
  Data: {},
};

function capture(logLinks: boolean): { mailer: AuthMailer; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', name: 'mailer-test', destination: { write: (line: string) => void lines.push(line) } });
  return { mailer: new AuthMailer(logger, logLinks), lines };
}

describe('mails without SMTP (the embedded default)', () => {
  const config = resolveProjectConfig(defaultAuthServiceSettings(), {}, undefined);

  it('confirms sign-ups at once when no SMTP server is configured', () => {
    expect(config.smtp).toBeNull();
    expect(config.mailerAutoconfirm).toBe(true);
    const withSmtp = resolveProjectConfig(defaultAuthServiceSettings(), { smtp: { host: 'mail.example', port: 587, sender_email: 'a@example.com' } }, 'pw');
    expect(withSmtp.mailerAutoconfirm).toBe(false);
    expect(withSmtp.smtp).toMatchObject({ host: 'mail.example', pass: 'pw', secure: false });
  });

  it('logs that the mail was not sent, without its link or code', async () => {
    const { mailer, lines } = capture(false);
    await mailer.send(config, { projectId: 'demo', to: 'someone@example.com', kind: 'recovery', values });
    expect(lines.join('')).toContain('mail not sent: no SMTP');
    expect(lines.join('')).not.toContain('abc123secret');
    expect(lines.join('')).not.toContain('123456');
  });

  it('logs the link and code only when AUTH_LOG_MAIL_LINKS is on', async () => {
    const { mailer, lines } = capture(true);
    await mailer.send(config, { projectId: 'demo', to: 'someone@example.com', kind: 'recovery', values });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'mail not sent: no SMTP', link: values.ConfirmationURL, otp: '123456', kind: 'recovery' });
  });
});
