import type { FastifyInstance } from 'fastify';
import { EXTERNAL_PROVIDERS } from '../domain/unoffered-features.ts';
import { contextOf } from './context.ts';

/** GET /settings: what sign-in methods the project offers, in GoTrue's shape: email, anonymous, its OpenID providers and GitHub. */
export function settingsRoute(scope: FastifyInstance): void {
  scope.get('/settings', async (request) => {
    const { config } = contextOf(request);
    return {
      external: {
        ...Object.fromEntries([...EXTERNAL_PROVIDERS, 'saml'].map((provider) => [provider, false])),
        ...Object.fromEntries(Object.keys(config.oidcProviders).map((provider) => [provider, true])),
        ...(config.github !== null ? { github: true } : {}),
        anonymous_users: config.anonymousUsersEnabled,
        email: true,
        phone: config.phoneEnabled && config.sms !== null,
      },
      disable_signup: config.disableSignup,
      mailer_autoconfirm: config.mailerAutoconfirm,
      phone_autoconfirm: config.smsAutoconfirm,
      sms_provider: config.sms?.provider ?? '',
      saml_enabled: false,
    };
  });
}
