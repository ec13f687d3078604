import type { FromSchema } from 'json-schema-to-ts';
/** The body of POST /admin/users and PUT /admin/users/:id (GoTrue's AdminUserParams, email users only). */
export const adminUserBodySchema = {
  type: 'object',
  properties: {
    email: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    password: { type: ['string', 'null'] },
    password_hash: { type: ['string', 'null'] },
    email_confirm: { type: ['boolean', 'null'] },
    user_metadata: { type: ['object', 'null'] },
    app_metadata: { type: ['object', 'null'] },
    ban_duration: { type: ['string', 'null'] },
    role: { type: ['string', 'null'] },
  },
} as const;

export type AdminUserBody = FromSchema<typeof adminUserBodySchema>;

/** nulls as absent, as GoTrue's JSON decoding leaves them. */
export function adminParamsOf(body: AdminUserBody) {
  return {
    email: body.email ?? undefined,
    password: body.password ?? undefined,
    password_hash: body.password_hash ?? undefined,
    email_confirm: body.email_confirm ?? undefined,
    user_metadata: body.user_metadata ?? undefined,
    app_metadata: body.app_metadata ?? undefined,
    ban_duration: body.ban_duration ?? undefined,
    role: body.role ?? undefined,
  };
}
