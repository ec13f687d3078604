import type pg from 'pg';
import type { SecretBox } from '@launchdb/common';
import {
  KNOWN_OIDC_ISSUERS,
  readProjectAuthSettings,
  readProjectOAuthClientSecrets,
  readProjectSmsSecret,
  readProjectSmtpPassword,
  type AuthMailKind,
  type AuthRateLimits,
  type PasswordCharacterClass,
  type ProjectAuthSettings,
} from '@launchdb/common/auth-settings';
import type { AuthServiceSettings, SmtpServer } from '../config.ts';
import { DEFAULT_TEMPLATES, type MailTemplate } from './mail-templates.ts';

/** One project's auth settings in force: its own over the platform's defaults. */
export interface ProjectAuthConfig {
  siteUrl: string;
  uriAllowList: string[];
  disableSignup: boolean;
  anonymousUsersEnabled: boolean;
  mailerAutoconfirm: boolean;
  jwtExp: number;
  passwordMinLength: number;
  passwordRequiredCharacters: PasswordCharacterClass[];
  refreshTokenReuseInterval: number;
  otpExp: number;
  /** Email changes confirmed from both addresses. */
  secureEmailChange: boolean;
  /** null: no SMTP, mails are not sent (their links are logged when AUTH_LOG_MAIL_LINKS is on). */
  smtp: SmtpServer | null;
  templates: Record<AuthMailKind, MailTemplate>;
  rateLimits: AuthRateLimits;
  /** PUT /user with a password needs a nonce from GET /reauthenticate (sessions older than 24 h). */
  updatePasswordRequireReauthentication: boolean;
  /** GET /user/identities/authorize and DELETE /user/identities/:id. */
  manualLinkingEnabled: boolean;
  mfaTotpEnrollEnabled: boolean;
  mfaTotpVerifyEnabled: boolean;
  mfaMaxEnrolledFactors: number;
  /** Phone sign-up and sign-in with SMS codes. */
  phoneEnabled: boolean;
  smsAutoconfirm: boolean;
  smsOtpExp: number;
  /** null: no SMS provider configured (phone sign-in answers GoTrue's error then). */
  sms: SmsSender | null;
  /** Enabled OpenID Connect providers by name. */
  oidcProviders: Record<string, OidcProviderConfig>;
  /** Sign-in with GitHub (OAuth 2.0, not OpenID Connect); null when it is off. */
  github: GithubProviderConfig | null;
}

export interface SmsSender {
  provider: 'twilio' | 'vonage';
  apiUrl: string;
  account: string;
  secret: string | undefined;
  from: string;
  template: string;
}

export interface OidcProviderConfig {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
}

/** GitHub as the project set it up; what is missing is refused with GoTrue's errors when a sign-in starts. */
export interface GithubProviderConfig {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** undefined: the project's own `<auth URL>/callback`. */
  redirectUri: string | undefined;
  /** GitHub Enterprise Server's address; undefined: github.com. */
  url: string | undefined;
}

export function resolveProjectConfig(
  defaults: AuthServiceSettings,
  own: ProjectAuthSettings,
  smtpPassword: string | undefined,
  oauthClientSecrets: Record<string, string> = {},
  smsSecret: string | undefined = undefined,
): ProjectAuthConfig {
  const oidcProviders: Record<string, OidcProviderConfig> = {};
  for (const [name, provider] of Object.entries(own.external_providers ?? {})) {
    if (provider.enabled === false) continue;
    const issuer = provider.issuer ?? KNOWN_OIDC_ISSUERS[name];
    if (issuer === undefined) continue;
    oidcProviders[name] = { name, issuer, clientId: provider.client_id, clientSecret: oauthClientSecrets[name], scopes: (provider.scopes ?? '').split(/\s+/).filter((scope) => scope !== '') };
  }
  const smtp: SmtpServer | null =
    own.smtp === undefined
      ? defaults.smtp
      : own.smtp === null
        ? null
        : {
            host: own.smtp.host,
            port: own.smtp.port,
            secure: own.smtp.secure ?? own.smtp.port === 465,
            user: own.smtp.user,
            pass: smtpPassword,
            senderEmail: own.smtp.sender_email,
            senderName: own.smtp.sender_name,
          };
  const templates = { ...DEFAULT_TEMPLATES };
  for (const [kind, template] of Object.entries(own.mailer_templates ?? {}) as Array<[AuthMailKind, Partial<MailTemplate> | undefined]>) {
    if (template !== undefined) templates[kind] = { ...templates[kind], ...template };
  }
  return {
    siteUrl: own.site_url ?? defaults.siteUrl,
    uriAllowList: own.uri_allow_list ?? defaults.uriAllowList,
    disableSignup: own.disable_signup ?? defaults.disableSignup,
    anonymousUsersEnabled: own.external_anonymous_users_enabled ?? defaults.anonymousUsersEnabled,
    mailerAutoconfirm: own.mailer_autoconfirm ?? defaults.mailerAutoconfirm ?? smtp === null,
    jwtExp: own.jwt_exp ?? defaults.jwtExp,
    passwordMinLength: own.password_min_length ?? defaults.passwordMinLength,
    passwordRequiredCharacters: own.password_required_characters ?? defaults.passwordRequiredCharacters,
    refreshTokenReuseInterval: own.refresh_token_reuse_interval ?? defaults.refreshTokenReuseInterval,
    otpExp: own.mailer_otp_exp ?? defaults.otpExp,
    secureEmailChange: own.mailer_secure_email_change_enabled ?? defaults.secureEmailChange,
    smtp,
    templates,
    rateLimits: { ...defaults.rateLimits, ...own.rate_limits },
    updatePasswordRequireReauthentication: own.security_update_password_require_reauthentication ?? defaults.updatePasswordRequireReauthentication,
    manualLinkingEnabled: own.security_manual_linking_enabled ?? defaults.manualLinkingEnabled,
    mfaTotpEnrollEnabled: own.mfa_totp_enroll_enabled ?? defaults.mfaTotpEnrollEnabled,
    mfaTotpVerifyEnabled: own.mfa_totp_verify_enabled ?? defaults.mfaTotpVerifyEnabled,
    mfaMaxEnrolledFactors: own.mfa_max_enrolled_factors ?? defaults.mfaMaxEnrolledFactors,
    oidcProviders,
    github:
      own.external_github_enabled === true
        ? { clientId: own.external_github_client_id, clientSecret: oauthClientSecrets.github, redirectUri: own.external_github_redirect_uri, url: own.external_github_url }
        : null,
    phoneEnabled: own.external_phone_enabled ?? false,
    smsAutoconfirm: own.sms_autoconfirm ?? false,
    smsOtpExp: own.sms_otp_exp ?? 60,
    sms:
      own.sms === undefined || own.sms === null
        ? null
        : {
            provider: own.sms.provider,
            apiUrl: defaults.smsApiUrls[own.sms.provider],
            account: own.sms.account,
            secret: smsSecret,
            from: own.sms.from,
            template: own.sms.template ?? 'Your code is {{ .Code }}',
          },
  };
}

interface Entry {
  config: Promise<ProjectAuthConfig>;
  expiresAt: number;
}

/**
 * Each project's settings, read from the platform database at most once per TTL; reads of one
 * project at once share one query. forget() makes the next request read them again.
 */
export class ProjectConfigs {
  readonly #db: pg.Pool;
  readonly #secrets: SecretBox;
  readonly #defaults: AuthServiceSettings;
  readonly #entries = new Map<string, Entry>();

  constructor(db: pg.Pool, secrets: SecretBox, defaults: AuthServiceSettings) {
    this.#db = db;
    this.#secrets = secrets;
    this.#defaults = defaults;
  }

  get(projectId: string): Promise<ProjectAuthConfig> {
    const now = Date.now();
    const cached = this.#entries.get(projectId);
    if (cached !== undefined && cached.expiresAt > now) return cached.config;
    const config = this.#read(projectId);
    const entry = { config, expiresAt: now + this.#defaults.settingsCacheMs };
    this.#entries.set(projectId, entry);
    config.catch(() => {
      if (this.#entries.get(projectId) === entry) this.#entries.delete(projectId);
    });
    return config;
  }

  forget(projectId: string): void {
    this.#entries.delete(projectId);
  }

  async #read(projectId: string): Promise<ProjectAuthConfig> {
    const stored = await readProjectAuthSettings(this.#db, projectId);
    const password = stored.smtpPasswordSet ? await readProjectSmtpPassword(this.#db, this.#secrets, projectId) : undefined;
    const clientSecrets = Object.keys(stored.settings.external_providers ?? {}).length > 0 || stored.settings.external_github_enabled === true ? await readProjectOAuthClientSecrets(this.#db, this.#secrets, projectId) : {};
    const smsSecret = stored.settings.sms ? await readProjectSmsSecret(this.#db, this.#secrets, projectId) : undefined;
    return resolveProjectConfig(this.#defaults, stored.settings, password, clientSecrets, smsSecret);
  }
}
