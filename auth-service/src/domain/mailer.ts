import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '@launchdb/common';
import type { AuthMailKind } from '@launchdb/common/auth-settings';
import type { SmtpServer } from '../config.ts';
import { renderTemplate, textOf, type TemplateValues } from './mail-templates.ts';
import type { ProjectAuthConfig } from './project-config.ts';

export interface OutgoingMail {
  projectId: string;
  to: string;
  kind: AuthMailKind;
  values: TemplateValues;
}

/**
 * Sends a project's mails through its SMTP server (nodemailer; one pooled transport per server
 * configuration), with its sender and templates. Without SMTP nothing is sent: the mail is
 * logged, and its link only when `logLinks` is on (the link carries a token).
 */
export class AuthMailer {
  readonly #transports = new Map<string, Transporter>();
  readonly #logger: Logger;
  readonly #logLinks: boolean;

  constructor(logger: Logger, logLinks: boolean) {
    this.#logger = logger;
    this.#logLinks = logLinks;
  }

  async send(config: ProjectAuthConfig, mail: OutgoingMail): Promise<void> {
    const template = config.templates[mail.kind];
    if (config.smtp === null) {
      const line = { projectId: mail.projectId, kind: mail.kind, ...(this.#logLinks ? { link: mail.values.ConfirmationURL, otp: mail.values.Token } : {}) };
      this.#logger.info(line, 'mail not sent: no SMTP');
      return;
    }
    const html = renderTemplate(template.content, mail.values);
    const subject = renderTemplate(template.subject, mail.values, false);
    const smtp = config.smtp;
    await this.#transport(smtp).sendMail({
      from: smtp.senderName ? { name: smtp.senderName, address: smtp.senderEmail } : smtp.senderEmail,
      to: mail.to,
      subject,
      html,
      text: textOf(html),
    });
  }

  close(): void {
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
  }

  #transport(smtp: SmtpServer): Transporter {
    const key = JSON.stringify([smtp.host, smtp.port, smtp.secure, smtp.user, smtp.pass]);
    let transport = this.#transports.get(key);
    if (transport === undefined) {
      transport = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        pool: true,
        maxConnections: 2,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
        logger: false,
      });
      this.#transports.set(key, transport);
    }
    return transport;
  }
}
