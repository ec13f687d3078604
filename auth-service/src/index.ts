export { registerAuthService, AUTH_PREFIXES, type AuthService, type AuthServiceDependencies } from './plugin.ts';
export { buildAuthApp, type AuthApp, type AuthAppDependencies } from './app.ts';
export {
  authServiceEnvSchema,
  authServiceSettingsFromEnv,
  authServiceSettingsOf,
  defaultAuthServiceSettings,
  type AuthServiceEnv,
  type AuthServiceSettings,
  type SmtpServer,
} from './config.ts';
export { AuthError, AuthErrors, renderAuthError } from './errors.ts';
export { ARGON2ID_PARAMETERS } from './domain/passwords.ts';
