import { z } from 'zod';
import type pg from 'pg';
import { withTransaction } from './db.ts';
import { projectSecretContext } from './projects.ts';
import type { SecretBox } from './secrets.ts';

/**
 * A project's own auth settings, kept in `platform.project_auth_settings` and merged by the
 * auth service over the platform-wide defaults of its environment (AUTH_*): whatever a project
 * leaves out follows the platform. Names follow GoTrue's settings where it has one.
 */

/** The mails the auth service sends, each with its own subject and template. */
export const AUTH_MAIL_KINDS = ['confirmation', 'recovery', 'magic_link', 'email_change', 'invite', 'reauthentication'] as const;
export type AuthMailKind = (typeof AUTH_MAIL_KINDS)[number];

export const PASSWORD_CHARACTER_CLASSES = ['lower', 'upper', 'digits', 'symbols'] as const;
export type PasswordCharacterClass = (typeof PASSWORD_CHARACTER_CLASSES)[number];

/** The project secret (platform.secrets) that holds its SMTP password. */
export const SMTP_PASSWORD_SECRET = 'smtp_password';

const mailTemplateSchema = z
  .object({
    subject: z.string().min(1).max(500),
    /** HTML with GoTrue's variables: {{ .ConfirmationURL }}, {{ .Token }}, {{ .TokenHash }}, {{ .SiteURL }}, {{ .Email }}, {{ .NewEmail }}, {{ .RedirectTo }}, {{ .Data.<key> }}. */
    content: z.string().min(1).max(100_000),
  })
  .partial()
  .strict();

export const smtpSettingsSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    user: z.string().max(255).optional(),
    sender_email: z.email(),
    sender_name: z.string().max(255).optional(),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().optional(),
  })
  .strict();
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;

const limit = () => z.number().int().min(0).max(1_000_000);

/** The project secret holding the SMS provider's secret (Twilio's auth token, Vonage's API secret). */
export const SMS_SECRET = 'sms_secret';

/** Where phone codes go out: Twilio's Messages API or Vonage's SMS API, the two GoTrue ships. */
export const smsSettingsSchema = z
  .object({
    provider: z.enum(['twilio', 'vonage']),
    /** Twilio: the account SID; Vonage: the API key. */
    account: z.string().min(1).max(200),
    /** The sender: a number, an alphanumeric sender id, or (Twilio) a messaging service SID `MG…`. */
    from: z.string().min(1).max(200),
    /** GoTrue's SMS template; `{{ .Code }}` is the six digits. */
    template: z.string().min(1).max(500).optional(),
  })
  .strict();
export type SmsSettings = z.infer<typeof smsSettingsSchema>;

/** The project secret holding an external provider's client secret. */
export const oauthClientSecretName = (provider: string): string => `oauth_client_secret:${provider}`;
export const EXTERNAL_PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** Issuers of the OpenID providers known by name; any other is named by its `issuer`. */
export const KNOWN_OIDC_ISSUERS: Readonly<Record<string, string>> = { google: 'https://accounts.google.com' };

/**
 * An OpenID Connect provider users sign in with (GoTrue's external providers): discovered from
 * `${issuer}/.well-known/openid-configuration`. Its client secret is write-only, the project
 * secret `oauth_client_secret:<name>`.
 */
export const oidcProviderSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** Required unless the name is a known provider's (google). */
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    client_id: z.string().min(1).max(500),
    /** Scopes asked besides `openid email profile`, space-separated. */
    scopes: z.string().max(1000).optional(),
  })
  .strict();
export type OidcProviderSettings = z.infer<typeof oidcProviderSchema>;

/**
 * Requests allowed per window; 0 turns a limit off. Per client address on each endpoint, and
 * per email address over the endpoints that take one.
 */
export const authRateLimitsSchema = z
  .object({
    window_seconds: z.number().int().min(1).max(86_400),
    token_per_ip: limit(),
    signup_per_ip: limit(),
    recover_per_ip: limit(),
    otp_per_ip: limit(),
    verify_per_ip: limit(),
    /** MFA challenges and verifications (GoTrue: 15 a minute per address), per address and per factor. */
    mfa_per_ip: limit(),
    /** Requests naming one email address (sign-in, sign-up, recover, otp, verify, resend). */
    per_email: limit(),
    /** Mails sent to one address per hour (GoTrue's RATE_LIMIT_EMAIL_SENT). */
    emails_per_hour: limit(),
  })
  .strict();
export type AuthRateLimits = z.infer<typeof authRateLimitsSchema>;

export const projectAuthSettingsSchema = z
  .object({
    /** Where links lead when no (allowed) redirect_to is given. */
    site_url: z.url({ protocol: /^https?$/ }),
    /** Further redirect URLs allowed: exact URLs, or patterns with `*` (any characters but `/` and `.`) and `**` (any characters). */
    uri_allow_list: z.array(z.string().min(1).max(2000)).max(200),
    disable_signup: z.boolean(),
    external_anonymous_users_enabled: z.boolean(),
    /** Sign-ups confirmed at once, without a mail. Default: true when no SMTP is configured. */
    mailer_autoconfirm: z.boolean(),
    /** Access token lifetime, seconds. */
    jwt_exp: z.number().int().min(30).max(7 * 24 * 3600),
    password_min_length: z.number().int().min(6).max(72),
    password_required_characters: z.array(z.enum(PASSWORD_CHARACTER_CLASSES)).max(4),
    /** How long a just-rotated refresh token may still be presented (a client's lost race) before it counts as reuse. */
    refresh_token_reuse_interval: z.number().int().min(0).max(3600),
    /** An email change is confirmed by links mailed to both the current and the new address (GoTrue's default); off: the new address alone. */
    mailer_secure_email_change_enabled: z.boolean(),
    /** How long mailed links and codes stay valid, seconds. */
    mailer_otp_exp: z.number().int().min(60).max(86_400),
    smtp: smtpSettingsSchema.nullable(),
    /** A password change needs the nonce mailed by GET /reauthenticate when the session is older than 24 hours (GoTrue's SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION). */
    security_update_password_require_reauthentication: z.boolean(),
    /** Sign-up and sign-in with a phone number and an SMS code (GoTrue's EXTERNAL_PHONE_ENABLED, off by default). */
    external_phone_enabled: z.boolean(),
    /** Phone sign-ups confirmed at once, without a code (GoTrue's SMS_AUTOCONFIRM). */
    sms_autoconfirm: z.boolean(),
    /** How long SMS codes stay valid, seconds (GoTrue's SMS_OTP_EXP). */
    sms_otp_exp: z.number().int().min(30).max(86_400),
    sms: smsSettingsSchema.nullable(),
    /** Signed-in users may link and unlink identities themselves (GoTrue's SECURITY_MANUAL_LINKING_ENABLED, off by default). */
    security_manual_linking_enabled: z.boolean(),
    /** TOTP factors may be enrolled (GoTrue's MFA_TOTP_ENROLL_ENABLED, on by default). */
    mfa_totp_enroll_enabled: z.boolean(),
    /** TOTP factors may be challenged and verified (GoTrue's MFA_TOTP_VERIFY_ENABLED, on by default). */
    mfa_totp_verify_enabled: z.boolean(),
    /** Factors one user may have, verified or not (GoTrue's MFA_MAX_ENROLLED_FACTORS). */
    mfa_max_enrolled_factors: z.number().int().min(1).max(100),
    /** OpenID Connect providers by name (`google`, `keycloak`, or a name of the operator's): GET /authorize?provider=<name>. */
    external_providers: z
      .record(z.string().regex(EXTERNAL_PROVIDER_NAME), oidcProviderSchema)
      .refine((providers) => Object.entries(providers).every(([name, provider]) => provider.issuer !== undefined || name in KNOWN_OIDC_ISSUERS), {
        message: 'an external provider needs an issuer (only google has a known one)',
      }),
    /** Sign-in with GitHub's OAuth 2.0 (GoTrue's EXTERNAL_GITHUB_ENABLED, off by default); its client secret is `oauth_client_secrets.github`. */
    external_github_enabled: z.boolean(),
    /** The GitHub OAuth app's client id. */
    external_github_client_id: z.string().min(1).max(500),
    /** The callback GitHub sends the browser back to (GoTrue's EXTERNAL_GITHUB_REDIRECT_URI); default: this project's `<auth URL>/callback`. */
    external_github_redirect_uri: z.url({ protocol: /^https?$/ }),
    /** GitHub Enterprise Server's address (GoTrue's EXTERNAL_GITHUB_URL): sign-in at `<url>/login/oauth/…`, API at `<url>/api/v3`; default github.com. */
    external_github_url: z.url({ protocol: /^https?$/ }),
    mailer_templates: z.object(Object.fromEntries(AUTH_MAIL_KINDS.map((kind) => [kind, mailTemplateSchema])) as Record<AuthMailKind, typeof mailTemplateSchema>).partial().strict(),
    rate_limits: authRateLimitsSchema.partial(),
  })
  .partial()
  .strict();
export type ProjectAuthSettings = z.infer<typeof projectAuthSettingsSchema>;

export interface StoredProjectAuthSettings {
  settings: ProjectAuthSettings;
  /** Whether a SMTP password is kept for the project (the password itself is never read back through here). */
  smtpPasswordSet: boolean;
  updatedAt: Date | null;
}

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** A project's own settings; `{}` when it has none. */
export async function readProjectAuthSettings(db: Queryable, projectId: string): Promise<StoredProjectAuthSettings> {
  const { rows } = await db.query<{ settings: unknown; updated_at: Date | null; smtp_password_set: boolean }>(
    `select s.settings, s.updated_at,
            exists (select 1 from platform.secrets where project_id = $1 and name = $2) as smtp_password_set
       from (select 1) one
       left join platform.project_auth_settings s on s.project_id = $1`,
    [projectId, SMTP_PASSWORD_SECRET],
  );
  const row = rows[0]!;
  // a row written by hand that no longer validates counts for nothing rather than breaking sign-in
  const parsed = projectAuthSettingsSchema.safeParse(row.settings ?? {});
  return { settings: parsed.success ? parsed.data : {}, smtpPasswordSet: row.smtp_password_set, updatedAt: row.updated_at };
}

/** The project's SMTP password, decrypted; undefined when none is set. */
export async function readProjectSmtpPassword(db: Queryable, secrets: SecretBox, projectId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ ciphertext: string }>('select ciphertext from platform.secrets where project_id = $1 and name = $2', [
    projectId,
    SMTP_PASSWORD_SECRET,
  ]);
  const row = rows[0];
  return row ? secrets.decrypt(row.ciphertext, projectSecretContext(projectId, SMTP_PASSWORD_SECRET)) : undefined;
}

export interface ProjectAuthSettingsChange {
  /**
   * A JSON merge patch (RFC 7396) of the settings: a key set to null is removed (back to the
   * platform default), a nested object is merged, anything else replaces.
   */
  settings?: Record<string, unknown>;
  /** A new SMTP password; null removes it; absent leaves it. */
  smtp_password?: string | null;
  /** External providers' client secrets by provider name; null removes one. */
  oauth_client_secrets?: Record<string, string | null>;
  /** The SMS provider's secret; null removes it. */
  sms_secret?: string | null;
}

export class InvalidAuthSettingsError extends Error {
  readonly issues: z.core.$ZodIssue[];
  constructor(issues: z.core.$ZodIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`).join('; '));
    this.name = 'InvalidAuthSettingsError';
    this.issues = issues;
  }
}

/**
 * Applies a change to a project's settings in one transaction (the row locked, so two changes
 * at once both count) and returns what is stored afterwards. Invalid results are refused whole
 * with InvalidAuthSettingsError. The auth service caches settings: call its forget(projectId).
 */
export async function writeProjectAuthSettings(
  db: pg.Pool,
  secrets: SecretBox,
  projectId: string,
  change: ProjectAuthSettingsChange,
): Promise<StoredProjectAuthSettings> {
  await withTransaction(db, async (client) => {
    if (change.settings !== undefined) {
      await client.query(
        `insert into platform.project_auth_settings (project_id, settings, updated_at) values ($1, '{}', now())
         on conflict (project_id) do nothing`,
        [projectId],
      );
      const { rows } = await client.query<{ settings: Record<string, unknown> }>(
        'select settings from platform.project_auth_settings where project_id = $1 for update',
        [projectId],
      );
      const merged = mergePatch(rows[0]?.settings ?? {}, change.settings);
      const parsed = projectAuthSettingsSchema.safeParse(merged);
      if (!parsed.success) throw new InvalidAuthSettingsError(parsed.error.issues);
      await client.query('update platform.project_auth_settings set settings = $2, updated_at = now() where project_id = $1', [
        projectId,
        JSON.stringify(parsed.data),
      ]);
    }
    const writeOnly: Array<[string, string | null]> = Object.entries(change.oauth_client_secrets ?? {}).map(([provider, secret]) => {
      if (!EXTERNAL_PROVIDER_NAME.test(provider)) throw new InvalidAuthSettingsError([{ code: 'custom', path: ['oauth_client_secrets', provider], message: 'not a provider name', input: provider } as z.core.$ZodIssue]);
      return [oauthClientSecretName(provider), secret];
    });
    if (change.smtp_password !== undefined) writeOnly.unshift([SMTP_PASSWORD_SECRET, change.smtp_password]);
    if (change.sms_secret !== undefined) writeOnly.push([SMS_SECRET, change.sms_secret]);
    for (const [name, secret] of writeOnly) {
      if (secret === null) {
        await client.query('delete from platform.secrets where project_id = $1 and name = $2', [projectId, name]);
      } else {
        await client.query(
          `insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3)
           on conflict ((coalesce(project_id, '')), name) do update set ciphertext = excluded.ciphertext, rotated_at = now()`,
          [projectId, name, secrets.encrypt(secret, projectSecretContext(projectId, name))],
        );
      }
    }
  });
  return readProjectAuthSettings(db, projectId);
}

/** The project's SMS secret, decrypted; undefined when none is set. */
export async function readProjectSmsSecret(db: Queryable, secrets: SecretBox, projectId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ ciphertext: string }>('select ciphertext from platform.secrets where project_id = $1 and name = $2', [projectId, SMS_SECRET]);
  const row = rows[0];
  return row ? secrets.decrypt(row.ciphertext, projectSecretContext(projectId, SMS_SECRET)) : undefined;
}

/** The client secrets of the project's external providers, decrypted, by provider name. */
export async function readProjectOAuthClientSecrets(db: Queryable, secrets: SecretBox, projectId: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; ciphertext: string }>(
    `select name, ciphertext from platform.secrets where project_id = $1 and name like 'oauth\\_client\\_secret:%'`,
    [projectId],
  );
  return Object.fromEntries(rows.map((row) => [row.name.slice('oauth_client_secret:'.length), secrets.decrypt(row.ciphertext, projectSecretContext(projectId, row.name))]));
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
