import type { FastifyInstance } from 'fastify';
import { contextOf } from './context.ts';

const EXTERNAL_PROVIDERS = ['apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google', 'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch', 'twitter', 'x', 'zoom', 'saml'];

/** GET /settings: what sign-in methods the project offers, in GoTrue's shape. Only email and anonymous exist here. */
export function settingsRoute(scope: FastifyInstance): void {
  scope.get('/settings', async (request) => {
    const { config } = contextOf(request);
    return {
      external: {
        ...Object.fromEntries(EXTERNAL_PROVIDERS.map((provider) => [provider, false])),
        anonymous_users: config.anonymousUsersEnabled,
        email: true,
        phone: false,
      },
      disable_signup: config.disableSignup,
      mailer_autoconfirm: config.mailerAutoconfirm,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    };
  });
}
