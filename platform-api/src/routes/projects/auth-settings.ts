import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { StoredProjectAuthSettings } from '@launchdb/common';
import { SIGNING_ALGORITHMS, type SigningKeyRecord } from '@launchdb/common/signing-keys';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/**
 * A JSON merge patch of the project's auth settings (a key set to null goes back to the
 * platform default), plus the write-only `smtp_password` (null removes it). Validated whole by
 * the settings' own schema, so one bad key refuses the change.
 */
const patchBody = {
  type: 'object',
  properties: {
    smtp_password: { type: ['string', 'null'], minLength: 1, maxLength: 1000 },
    /** External providers' client secrets by name, write-only; null removes one. */
    oauth_client_secrets: { type: 'object', additionalProperties: { type: ['string', 'null'], minLength: 1, maxLength: 2000 } },
    /** The SMS provider's secret (Twilio auth token, Vonage API secret), write-only; null removes it. */
    sms_secret: { type: ['string', 'null'], minLength: 1, maxLength: 1000 },
  },
  additionalProperties: true,
} as const;

export function authSettingsRoutes(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  typed.get('/projects/:id/auth-settings', { schema: { params: projectIdParams } }, async (request) =>
    renderAuthSettings(await deps.authSettings.get(request.params.id)),
  );
  typed.patch('/projects/:id/auth-settings', { schema: { params: projectIdParams, body: patchBody } }, async (request) => {
    const { smtp_password: smtpPassword, oauth_client_secrets: clientSecrets, sms_secret: smsSecret, ...settings } = request.body as Record<string, unknown> & {
      smtp_password?: string | null;
      oauth_client_secrets?: Record<string, string | null>;
      sms_secret?: string | null;
    };
    const stored = await deps.authSettings.update(request.params.id, {
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
      ...(smtpPassword !== undefined ? { smtp_password: smtpPassword } : {}),
      ...(clientSecrets !== undefined ? { oauth_client_secrets: clientSecrets } : {}),
      ...(smsSecret !== undefined ? { sms_secret: smsSecret } : {}),
    });
    return renderAuthSettings(stored);
  });
  signingKeysRoutes(app, deps);
}

const keyParams = { type: 'object', properties: { id: { type: 'string' }, kid: { type: 'string', maxLength: 100 } }, required: ['id', 'kid'] } as const;

/**
 * /projects/:id/signing-keys: the project's asymmetric JWT signing keys (public parts only).
 * POST creates a standby key (ES256 unless `algorithm: "RS256"`), published at once; `…/rotate`
 * makes it the key in use; PATCH `{status}` revokes a key no longer in use, or sets the key in use
 * aside (`previously_used`), so that the project signs with its HS256 secret again.
 */
export function signingKeysRoutes(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  typed.get('/projects/:id/signing-keys', { schema: { params: projectIdParams } }, async (request) => ({
    keys: (await deps.signingKeys.list(request.params.id)).map(renderSigningKey),
  }));
  typed.post(
    '/projects/:id/signing-keys',
    { schema: { params: projectIdParams, body: { type: ['object', 'null'], properties: { algorithm: { type: 'string', enum: SIGNING_ALGORITHMS } }, additionalProperties: false } } },
    async (request, reply) => {
      const key = await deps.signingKeys.create(request.params.id, request.body?.algorithm ?? 'ES256');
      return reply.code(201).send(renderSigningKey(key));
    },
  );
  typed.post('/projects/:id/signing-keys/rotate', { schema: { params: projectIdParams } }, async (request) => ({
    keys: (await deps.signingKeys.rotate(request.params.id)).map(renderSigningKey),
  }));
  typed.patch(
    '/projects/:id/signing-keys/:kid',
    { schema: { params: keyParams, body: { type: 'object', properties: { status: { type: 'string', enum: ['standby', 'previously_used', 'revoked'] } }, required: ['status'], additionalProperties: false } } },
    async (request) => renderSigningKey(await deps.signingKeys.setStatus(request.params.id, request.params.kid, request.body.status)),
  );
}

function renderSigningKey(key: SigningKeyRecord) {
  return { id: key.id, algorithm: key.algorithm, status: key.status, public_jwk: key.public_jwk, created_at: key.created_at.toISOString(), updated_at: key.updated_at.toISOString() };
}

function renderAuthSettings(stored: StoredProjectAuthSettings) {
  return { settings: stored.settings, smtp_password_set: stored.smtpPasswordSet, updated_at: stored.updatedAt?.toISOString() ?? null };
}
