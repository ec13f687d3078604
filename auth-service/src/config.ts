import { z } from 'zod';
import { env, loadConfig, type LoadConfigOptions } from '@launchdb/common';
import { PASSWORD_CHARACTER_CLASSES, type AuthRateLimits, type PasswordCharacterClass } from '@launchdb/common/auth-settings';

const bool = (fallback: boolean) => z.stringbool({ error: 'expected true or false' }).default(fallback);
const optionalBool = () => z.stringbool({ error: 'expected true or false' }).optional();
const count = (fallback: number) =>
  z.coerce.number({ error: 'expected a whole number, 0 or more' }).int({ error: 'expected a whole number, 0 or more' }).min(0).default(fallback);
const list = () =>
  z
    .string()
    .default('')
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

/**
 * The platform-wide defaults of every project's auth settings (each project may override them
 * in platform.project_auth_settings), and the service's own limits. Read from the environment
 * by `authServiceSettingsFromEnv`; `npm start` passes the same variables.
 */
export const authServiceEnvSchema = z.object({
  AUTH_SITE_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).default('http://localhost:3000'),
  AUTH_URI_ALLOW_LIST: list(),
  AUTH_DISABLE_SIGNUP: bool(false),
  AUTH_ANONYMOUS_USERS_ENABLED: bool(false),
  /** Default: true when no SMTP server is configured, false otherwise. */
  AUTH_MAILER_AUTOCONFIRM: optionalBool(),
  AUTH_JWT_EXP: env.positiveInt(3600),
  AUTH_PASSWORD_MIN_LENGTH: env.positiveInt(6),
  AUTH_PASSWORD_REQUIRED_CHARACTERS: list().pipe(z.array(z.enum(PASSWORD_CHARACTER_CLASSES, { error: 'expected a comma-separated list of lower, upper, digits, symbols' }))),
  AUTH_REFRESH_TOKEN_REUSE_INTERVAL: count(10),
  AUTH_MAILER_OTP_EXP: env.positiveInt(3600),
  AUTH_MAILER_SECURE_EMAIL_CHANGE_ENABLED: bool(true),
  /** smtp://user:pass@host:587 or smtps://…:465; or the separate AUTH_SMTP_* variables. */
  AUTH_SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'expected an smtp:// or smtps:// URL' }).optional(),
  AUTH_SMTP_HOST: z.string().min(1).optional(),
  AUTH_SMTP_PORT: env.port(587),
  AUTH_SMTP_USER: z.string().optional(),
  AUTH_SMTP_PASS: z.string().optional(),
  AUTH_SMTP_SECURE: bool(false),
  AUTH_SMTP_SENDER_EMAIL: env.email().default('noreply@launchdb.local'),
  AUTH_SMTP_SENDER_NAME: z.string().default('LaunchDB'),
  /** Without SMTP, log each mail's link (with its token) at info level. Off: tokens never reach the log. */
  AUTH_LOG_MAIL_LINKS: bool(false),
  AUTH_SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION: bool(false),
  AUTH_SECURITY_MANUAL_LINKING_ENABLED: bool(false),
  /** Where the SMS providers' APIs are (a project's sms settings say which and with what account). */
  AUTH_SMS_TWILIO_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
  AUTH_SMS_VONAGE_API_URL: z.url({ protocol: /^https?$/ }).default('https://rest.nexmo.com'),
  AUTH_MFA_TOTP_ENROLL_ENABLED: bool(true),
  AUTH_MFA_TOTP_VERIFY_ENABLED: bool(true),
  AUTH_MFA_MAX_ENROLLED_FACTORS: env.positiveInt(10),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: env.positiveInt(300),
  AUTH_RATE_LIMIT_TOKEN_PER_IP: count(300),
  AUTH_RATE_LIMIT_SIGNUP_PER_IP: count(30),
  AUTH_RATE_LIMIT_RECOVER_PER_IP: count(30),
  AUTH_RATE_LIMIT_OTP_PER_IP: count(30),
  AUTH_RATE_LIMIT_VERIFY_PER_IP: count(60),
  /** GoTrue's 15 a minute, over the default window. */
  AUTH_RATE_LIMIT_MFA_PER_IP: count(75),
  AUTH_RATE_LIMIT_PER_EMAIL: count(30),
  AUTH_RATE_LIMIT_EMAILS_PER_HOUR: count(30),
  /** How long a project's settings are trusted before being read again; AuthService.forget() ends it at once. */
  AUTH_SETTINGS_CACHE_MS: count(5000),
  AUTH_BODY_LIMIT_BYTES: env.positiveInt(64 * 1024),
});

export interface SmtpServer {
  host: string;
  port: number;
  secure: boolean;
  user: string | undefined;
  pass: string | undefined;
  senderEmail: string;
  senderName: string | undefined;
}

/** What `registerAuthService` and `buildAuthApp` are given: the defaults of every project's settings. */
export interface AuthServiceSettings {
  siteUrl: string;
  uriAllowList: string[];
  disableSignup: boolean;
  anonymousUsersEnabled: boolean;
  /** undefined: true without SMTP, false with. */
  mailerAutoconfirm: boolean | undefined;
  jwtExp: number;
  passwordMinLength: number;
  passwordRequiredCharacters: PasswordCharacterClass[];
  refreshTokenReuseInterval: number;
  otpExp: number;
  secureEmailChange: boolean;
  smtp: SmtpServer | null;
  logMailLinks: boolean;
  updatePasswordRequireReauthentication: boolean;
  manualLinkingEnabled: boolean;
  smsApiUrls: { twilio: string; vonage: string };
  mfaTotpEnrollEnabled: boolean;
  mfaTotpVerifyEnabled: boolean;
  mfaMaxEnrolledFactors: number;
  rateLimits: AuthRateLimits;
  settingsCacheMs: number;
  bodyLimitBytes: number;
}

export type AuthServiceEnv = z.infer<typeof authServiceEnvSchema>;

export function authServiceSettingsOf(config: AuthServiceEnv): AuthServiceSettings {
  return {
    siteUrl: config.AUTH_SITE_URL,
    uriAllowList: config.AUTH_URI_ALLOW_LIST,
    disableSignup: config.AUTH_DISABLE_SIGNUP,
    anonymousUsersEnabled: config.AUTH_ANONYMOUS_USERS_ENABLED,
    mailerAutoconfirm: config.AUTH_MAILER_AUTOCONFIRM,
    jwtExp: config.AUTH_JWT_EXP,
    passwordMinLength: config.AUTH_PASSWORD_MIN_LENGTH,
    passwordRequiredCharacters: config.AUTH_PASSWORD_REQUIRED_CHARACTERS,
    refreshTokenReuseInterval: config.AUTH_REFRESH_TOKEN_REUSE_INTERVAL,
    otpExp: config.AUTH_MAILER_OTP_EXP,
    secureEmailChange: config.AUTH_MAILER_SECURE_EMAIL_CHANGE_ENABLED,
    smtp: smtpOf(config),
    logMailLinks: config.AUTH_LOG_MAIL_LINKS,
    updatePasswordRequireReauthentication: config.AUTH_SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION,
    manualLinkingEnabled: config.AUTH_SECURITY_MANUAL_LINKING_ENABLED,
    smsApiUrls: { twilio: config.AUTH_SMS_TWILIO_API_URL, vonage: config.AUTH_SMS_VONAGE_API_URL },
    mfaTotpEnrollEnabled: config.AUTH_MFA_TOTP_ENROLL_ENABLED,
    mfaTotpVerifyEnabled: config.AUTH_MFA_TOTP_VERIFY_ENABLED,
    mfaMaxEnrolledFactors: config.AUTH_MFA_MAX_ENROLLED_FACTORS,
    rateLimits: {
      window_seconds: config.AUTH_RATE_LIMIT_WINDOW_SECONDS,
      token_per_ip: config.AUTH_RATE_LIMIT_TOKEN_PER_IP,
      signup_per_ip: config.AUTH_RATE_LIMIT_SIGNUP_PER_IP,
      recover_per_ip: config.AUTH_RATE_LIMIT_RECOVER_PER_IP,
      otp_per_ip: config.AUTH_RATE_LIMIT_OTP_PER_IP,
      verify_per_ip: config.AUTH_RATE_LIMIT_VERIFY_PER_IP,
      mfa_per_ip: config.AUTH_RATE_LIMIT_MFA_PER_IP,
      per_email: config.AUTH_RATE_LIMIT_PER_EMAIL,
      emails_per_hour: config.AUTH_RATE_LIMIT_EMAILS_PER_HOUR,
    } satisfies AuthRateLimits,
    settingsCacheMs: config.AUTH_SETTINGS_CACHE_MS,
    bodyLimitBytes: config.AUTH_BODY_LIMIT_BYTES,
  };
}

function smtpOf(config: AuthServiceEnv): SmtpServer | null {
  if (config.AUTH_SMTP_URL !== undefined) {
    const url = new URL(config.AUTH_SMTP_URL);
    const secure = url.protocol === 'smtps:';
    return {
      host: url.hostname,
      port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
      secure,
      user: url.username === '' ? undefined : decodeURIComponent(url.username),
      pass: url.password === '' ? undefined : decodeURIComponent(url.password),
      senderEmail: config.AUTH_SMTP_SENDER_EMAIL,
      senderName: config.AUTH_SMTP_SENDER_NAME,
    };
  }
  if (config.AUTH_SMTP_HOST === undefined) return null;
  return {
    host: config.AUTH_SMTP_HOST,
    port: config.AUTH_SMTP_PORT,
    secure: config.AUTH_SMTP_SECURE,
    user: config.AUTH_SMTP_USER,
    pass: config.AUTH_SMTP_PASS,
    senderEmail: config.AUTH_SMTP_SENDER_EMAIL,
    senderName: config.AUTH_SMTP_SENDER_NAME,
  };
}

/** The auth settings from the environment (and a `.env` file): throws ConfigError when one is invalid. */
export function authServiceSettingsFromEnv(options: LoadConfigOptions = {}): AuthServiceSettings {
  return authServiceSettingsOf(loadConfig(authServiceEnvSchema, options));
}

/** Defaults for tests and tools: the environment's defaults with these changes. */
export function defaultAuthServiceSettings(overrides: Partial<AuthServiceSettings> = {}): AuthServiceSettings {
  return { ...authServiceSettingsOf(authServiceEnvSchema.parse({})), ...overrides };
}
