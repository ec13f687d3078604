import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { deleteUserSessions } from '../sql/sessions.ts';
import {
  applyEmailChange,
  confirmEmail,
  deleteUser,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers,
  mergeAppMetadata,
  mergeUserMetadata,
  setBannedUntil,
  setEmailChange,
  setPasswordHash,
  setRole,
  softDeleteUser,
  type UserRow,
} from '../sql/users.ts';
import { verifyBearer } from './access-tokens.ts';
import { inAuthSchema, normalizeEmail, type AuthRequestContext, type AuthServices } from './auth-context.ts';
import { countMail, prepareLink, sendLink, type LinkRequest } from './mail-links.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import { allowedRedirect } from './redirects.ts';
import { userJson } from './user-json.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Admin routes: a Bearer token of this project whose role is service_role (the service key). */
export async function assertServiceRole(ctx: AuthRequestContext, authorization: string | undefined): Promise<void> {
  const { claims } = await verifyBearer(authorization, ctx.project);
  if (claims.role !== 'service_role' && claims.role !== 'supabase_admin') throw AuthErrors.notAdmin();
}

export function parseUserId(id: string): string {
  if (!UUID.test(id)) throw AuthErrors.validationFailed('user_id must be an UUID');
  return id;
}

/** GoTrue's ban_duration: a Go duration ("24h", "1h30m", "90s") or "none" to lift a ban. */
export function banUntilOf(duration: string): Date | null {
  if (duration === 'none') return null;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== duration) throw AuthErrors.validationFailed('invalid format for ban duration');
  const ms = parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2]!]!, 0);
  return new Date(Date.now() + ms);
}

export async function listAllUsers(ctx: AuthRequestContext, page: number, perPage: number): Promise<{ users: Record<string, unknown>[]; total: number }> {
  const found = await inAuthSchema(ctx, (client) => listUsers(client, page, perPage));
  return { users: found.users.map(userJson), total: found.total };
}

export async function getUser(ctx: AuthRequestContext, id: string): Promise<Record<string, unknown>> {
  const user = await inAuthSchema(ctx, (client) => findUserById(client, parseUserId(id)));
  if (user === undefined) throw AuthErrors.userNotFound();
  return userJson(user);
}

export interface AdminUserParams {
  email?: string | undefined;
  password?: string | undefined;
  /** An existing hash (argon2 or bcrypt), for imports: checked at the next sign-in and upgraded to argon2id. */
  password_hash?: string | undefined;
  email_confirm?: boolean | undefined;
  user_metadata?: Record<string, unknown> | undefined;
  app_metadata?: Record<string, unknown> | undefined;
  ban_duration?: string | undefined;
  role?: string | undefined;
}

/**
 * The roles a user's tokens may carry. The project's authenticator may also switch to
 * supabase_auth_admin (for this service): a token naming it would reach the auth schema through
 * the data API, so no admin can hand it out.
 */
const USER_ROLES = new Set(['authenticated', 'anon', 'service_role']);

function roleOf(role: string | undefined): string | undefined {
  if (role !== undefined && !USER_ROLES.has(role)) throw AuthErrors.validationFailed('role must be one of authenticated, anon, service_role');
  return role;
}

function importedHash(hash: string): string {
  if (!/^\$argon2(id|i|d)\$/.test(hash) && !/^\$2[aby]\$\d\d\$/.test(hash)) throw AuthErrors.validationFailed('password_hash must be an argon2 or bcrypt hash');
  return hash;
}

async function passwordHashOf(ctx: AuthRequestContext, params: AdminUserParams): Promise<string | undefined> {
  if (params.password_hash !== undefined) return importedHash(params.password_hash);
  if (params.password === undefined) return undefined;
  assertStrongPassword(params.password, { minLength: ctx.config.passwordMinLength, required: ctx.config.passwordRequiredCharacters });
  return hashPassword(params.password);
}

/** POST /admin/users: no mail is sent; `email_confirm` confirms the address at once. */
export async function createUser(ctx: AuthRequestContext, params: AdminUserParams): Promise<Record<string, unknown>> {
  if (params.email === undefined || params.email === '') throw AuthErrors.validationFailed('Unable to validate email address: invalid format');
  const email = normalizeEmail(params.email);
  const role = roleOf(params.role);
  const passwordHash = await passwordHashOf(ctx, params);
  const bannedUntil = params.ban_duration !== undefined ? banUntilOf(params.ban_duration) : null;
  const user = await inAuthSchema(ctx, async (client) => {
    if ((await findUserByEmail(client, email)) !== undefined) throw AuthErrors.emailExists();
    const created = await insertUser(client, {
      email,
      passwordHash: passwordHash ?? null,
      userMetadata: params.user_metadata ?? {},
      appMetadata: { provider: 'email', providers: ['email'], ...params.app_metadata },
      confirmed: params.email_confirm === true,
      invited: false,
      anonymous: false,
      bannedUntil,
      ...(role !== undefined ? { role } : {}),
    });
    await audit(client, { action: 'user_signedup', actorId: created.id, actorEmail: email, ip: ctx.ip, traits: { provider: 'email', admin: true } });
    return created;
  });
  return userJson(user);
}

/** PUT /admin/users/:id: an address changes at once (no mail); a ban ends the user's sessions. */
export async function updateUser(ctx: AuthRequestContext, id: string, params: AdminUserParams): Promise<Record<string, unknown>> {
  const userId = parseUserId(id);
  const role = roleOf(params.role);
  const email = params.email !== undefined && params.email !== '' ? normalizeEmail(params.email) : undefined;
  const passwordHash = await passwordHashOf(ctx, params);
  const bannedUntil = params.ban_duration !== undefined ? banUntilOf(params.ban_duration) : undefined;
  const user = await inAuthSchema(ctx, async (client) => {
    const current = await findUserById(client, userId);
    if (current === undefined) throw AuthErrors.userNotFound();
    if (email !== undefined && email !== current.email?.toLowerCase()) {
      const taken = await findUserByEmail(client, email);
      if (taken !== undefined && taken.id !== userId) throw AuthErrors.emailExists();
      await applyEmailChange(client, userId, email);
    }
    if (passwordHash !== undefined) await setPasswordHash(client, userId, passwordHash);
    if (params.email_confirm === true) await confirmEmail(client, userId);
    if (params.user_metadata !== undefined) await mergeUserMetadata(client, userId, params.user_metadata);
    if (params.app_metadata !== undefined) await mergeAppMetadata(client, userId, params.app_metadata);
    if (role !== undefined) await setRole(client, userId, role);
    if (bannedUntil !== undefined) {
      await setBannedUntil(client, userId, bannedUntil);
      if (bannedUntil !== null) await deleteUserSessions(client, userId, null);
    }
    await audit(client, { action: 'user_modified', actorId: userId, actorEmail: current.email, ip: ctx.ip, traits: { admin: true } });
    return (await findUserById(client, userId))!;
  });
  return userJson(user);
}

export async function removeUser(ctx: AuthRequestContext, id: string, soft: boolean): Promise<void> {
  const userId = parseUserId(id);
  await inAuthSchema(ctx, async (client) => {
    const removed = soft ? await softDeleteUser(client, userId) : await deleteUser(client, userId);
    if (!removed) throw AuthErrors.userNotFound();
    await audit(client, { action: 'user_deleted', actorId: userId, actorEmail: null, ip: ctx.ip, traits: { soft } });
  });
}

export const GENERATE_LINK_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change_current', 'email_change_new'] as const;
export type GenerateLinkType = (typeof GENERATE_LINK_TYPES)[number];

export interface GenerateLinkParams {
  type: GenerateLinkType;
  email: string;
  password?: string | undefined;
  new_email?: string | undefined;
  data?: Record<string, unknown> | undefined;
  redirect_to?: string | undefined;
}

/** POST /admin/generate_link: the link (and code) a mail would carry, for the caller to deliver; nothing is sent. */
export async function generateLink(ctx: AuthRequestContext, params: GenerateLinkParams): Promise<Record<string, unknown>> {
  const email = normalizeEmail(params.email);
  const newEmail = params.new_email !== undefined && params.new_email !== '' ? normalizeEmail(params.new_email) : undefined;
  if ((params.type === 'email_change_current' || params.type === 'email_change_new') && newEmail === undefined) throw AuthErrors.emailChangeMissing();
  let passwordHash: string | null = null;
  if (params.type === 'signup') {
    if (params.password === undefined || params.password === '') throw AuthErrors.validationFailed('Signup requires a valid password');
    assertStrongPassword(params.password, { minLength: ctx.config.passwordMinLength, required: ctx.config.passwordRequiredCharacters });
    passwordHash = await hashPassword(params.password);
  }
  const redirectTo = allowedRedirect(params.redirect_to, ctx.config.siteUrl, ctx.config.uriAllowList);
  const link = await inAuthSchema(ctx, async (client) => {
    let user = await findUserByEmail(client, email);
    if (params.type === 'signup' || params.type === 'invite') {
      if (user !== undefined && user.email_confirmed_at !== null) throw AuthErrors.emailExists();
      user ??= await insertUser(client, {
        email,
        passwordHash,
        userMetadata: params.data ?? {},
        appMetadata: { provider: 'email', providers: ['email'] },
        confirmed: false,
        invited: params.type === 'invite',
        anonymous: false,
      });
    }
    if (user === undefined) throw AuthErrors.userNotFound();
    const request = linkRequestOf(params.type, user, email, newEmail, redirectTo);
    if (request.type === 'email_change') {
      const taken = await findUserByEmail(client, newEmail!);
      if (taken !== undefined && taken.id !== user.id) throw AuthErrors.emailExists();
      await setEmailChange(client, user.id, newEmail!);
    }
    return prepareLink(ctx, client, request);
  });
  const user = await inAuthSchema(ctx, (client) => findUserById(client, link.request.user.id));
  return {
    ...userJson(user!),
    action_link: link.actionLink,
    email_otp: link.otp,
    hashed_token: link.tokenHash,
    verification_type: link.request.type,
    redirect_to: redirectTo,
  };
}

function linkRequestOf(type: GenerateLinkType, user: UserRow, email: string, newEmail: string | undefined, redirectTo: string): LinkRequest {
  switch (type) {
    case 'signup':
      return { user, email, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo };
    case 'invite':
      return { user, email, kind: 'invite', type: 'invite', tokenType: 'confirmation_token', redirectTo };
    case 'magiclink':
      return { user, email, kind: 'magic_link', type: 'magiclink', tokenType: 'recovery_token', redirectTo };
    case 'recovery':
      return { user, email, kind: 'recovery', type: 'recovery', tokenType: 'recovery_token', redirectTo };
    case 'email_change_current':
      return { user, email: user.email ?? email, newEmail: newEmail!, kind: 'email_change', type: 'email_change', tokenType: 'email_change_token_current', redirectTo };
    case 'email_change_new':
      return { user, email: newEmail!, newEmail: newEmail!, kind: 'email_change', type: 'email_change', tokenType: 'email_change_token_new', redirectTo };
  }
}

/** POST /invite: a user who chooses a password by the mailed link. */
export async function inviteUser(ctx: AuthRequestContext, services: AuthServices, params: { email: string; data: Record<string, unknown>; redirectTo: string | undefined }): Promise<Record<string, unknown>> {
  const email = normalizeEmail(params.email);
  countMail(ctx, services, email);
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  const link = await inAuthSchema(ctx, async (client) => {
    let user = await findUserByEmail(client, email);
    if (user !== undefined && user.email_confirmed_at !== null) throw AuthErrors.emailExists();
    user ??= await insertUser(client, {
      email,
      passwordHash: null,
      userMetadata: params.data,
      appMetadata: { provider: 'email', providers: ['email'] },
      confirmed: false,
      invited: true,
      anonymous: false,
    });
    await audit(client, { action: 'user_invited', actorId: user.id, actorEmail: email, ip: ctx.ip });
    return prepareLink(ctx, client, { user, email, kind: 'invite', type: 'invite', tokenType: 'confirmation_token', redirectTo });
  });
  await sendLink(ctx, services, link);
  const user = await inAuthSchema(ctx, (client) => findUserById(client, link.request.user.id));
  return userJson(user!);
}
