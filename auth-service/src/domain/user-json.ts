import type { UserRow } from '../sql/users.ts';

const iso = (value: Date | string | null | undefined): string | undefined => (value === null || value === undefined ? undefined : new Date(value).toISOString());

/** A user as GoTrue answers with it (models.User's JSON): absent timestamps are left out, as its omitempty does. */
export function userJson(user: UserRow): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? '',
    role: user.role ?? '',
    email: user.email ?? '',
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: user.phone ?? '',
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change ? user.email_change : undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: user.identities.map((identity) => ({
      identity_id: identity.id,
      id: identity.provider_id,
      user_id: identity.user_id,
      identity_data: identity.identity_data,
      provider: identity.provider,
      last_sign_in_at: iso(identity.last_sign_in_at),
      created_at: iso(identity.created_at),
      updated_at: iso(identity.updated_at),
      email: identity.email ?? undefined,
    })),
    factors: user.factors.length > 0 ? user.factors.map(factorJson) : undefined,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    is_anonymous: user.is_anonymous,
  };
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json;
}

/** A factor as GoTrue answers with it: timestamps in ISO form, no friendly_name when it has none. */
export function factorJson(factor: Record<string, unknown>): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: factor.id,
    friendly_name: factor.friendly_name === null || factor.friendly_name === '' ? undefined : factor.friendly_name,
    factor_type: factor.factor_type,
    status: factor.status,
    created_at: iso(factor.created_at as string),
    updated_at: iso(factor.updated_at as string),
    last_challenged_at: iso(factor.last_challenged_at as string | null) ?? null,
  };
  if (json.friendly_name === undefined) delete json.friendly_name;
  return json;
}

/**
 * What a repeated sign-up of a confirmed address gets when confirmations are required: a user
 * shaped like a new one, so that the answer does not tell whether the address has an account.
 */
export function obfuscatedUserJson(email: string, userMetadata: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: userMetadata,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}
