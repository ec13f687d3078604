import type { FastifyInstance } from 'fastify';
import { assertServiceRole } from '../domain/admin-users.ts';
import { signedInCaller } from '../domain/current-user.ts';
import { isExternalProvider } from '../domain/unoffered-features.ts';
import { AuthErrors } from '../errors.ts';
import { contextOf } from './context.ts';

/**
 * GoTrue's routes for SAML SSO, OAuth sign-in and manual identity linking, answering as GoTrue
 * does with each switched off (they are not offered here yet): "SAML 2.0 is disabled",
 * "Unsupported provider: provider is not enabled", "Manual linking is disabled".
 */
export function unofferedFeatureRoutes(scope: FastifyInstance): void {
  const samlDisabled = async () => {
    throw AuthErrors.samlDisabled();
  };
  scope.post('/sso', samlDisabled);
  scope.get('/sso/saml/metadata', samlDisabled);
  scope.post('/sso/saml/acs', samlDisabled);
  const adminSamlDisabled = async (request: { headers: { authorization?: string | undefined } } & Parameters<typeof contextOf>[0]) => {
    await assertServiceRole(contextOf(request), request.headers.authorization);
    throw AuthErrors.samlDisabled();
  };
  scope.get('/admin/sso/providers', adminSamlDisabled);
  scope.post('/admin/sso/providers', adminSamlDisabled);
  scope.get('/admin/sso/providers/:providerId', adminSamlDisabled);
  scope.put('/admin/sso/providers/:providerId', adminSamlDisabled);
  scope.delete('/admin/sso/providers/:providerId', adminSamlDisabled);

  scope.get<{ Querystring: { provider?: string } }>('/authorize', async (request) => {
    const provider = (request.query.provider ?? '').toLowerCase();
    throw isExternalProvider(provider) ? AuthErrors.providerNotEnabled() : AuthErrors.providerNotFound(provider);
  });

  const manualLinkingDisabled = async (request: Parameters<typeof contextOf>[0]) => {
    await signedInCaller(contextOf(request), request.headers.authorization);
    throw AuthErrors.manualLinkingDisabled();
  };
  scope.get('/user/identities/authorize', manualLinkingDisabled);
  scope.delete('/user/identities/:identityId', manualLinkingDisabled);
}
