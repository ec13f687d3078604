import type { FastifyInstance } from 'fastify';
import { assertServiceRole } from '../domain/admin-users.ts';
import { AuthErrors } from '../errors.ts';
import { contextOf } from './context.ts';

/**
 * GoTrue's routes for SAML SSO, answering as GoTrue does with it switched off (it is not offered
 * here yet): "SAML 2.0 is disabled".
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
}
