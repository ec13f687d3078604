import type { PoolClient } from '@launchdb/common';

/** GoTrue's audit actions. */
export type AuditAction =
  | 'login'
  | 'logout'
  | 'user_signedup'
  | 'user_confirmation_requested'
  | 'user_recovery_requested'
  | 'user_invited'
  | 'user_updated_password'
  | 'user_modified'
  | 'user_deleted'
  | 'token_refreshed'
  | 'token_revoked'
  | 'user_repeated_signup'
  | 'invite_accepted'
  | 'user_reauthenticate_requested'
  | 'factor_in_progress'
  | 'factor_unenrolled'
  | 'factor_deleted'
  | 'challenge_created'
  | 'verification_attempted'
  | 'identity_unlinked';

/** One entry in GoTrue's payload shape (actor, action, log_type, traits). Never a token or a password. */
export async function audit(client: PoolClient, entry: { action: AuditAction; actorId: string; actorEmail: string | null; ip: string | undefined; traits?: Record<string, unknown> }): Promise<void> {
  const payload = {
    actor_id: entry.actorId,
    actor_username: entry.actorEmail ?? '',
    action: entry.action,
    log_type: logTypeOf(entry.action),
    ...(entry.traits ? { traits: entry.traits } : {}),
  };
  await client.query(`insert into auth.audit_log_entries (id, payload, created_at, ip_address) values (gen_random_uuid(), $1, now(), $2)`, [
    JSON.stringify(payload),
    (entry.ip ?? '').slice(0, 64),
  ]);
}

function logTypeOf(action: AuditAction): string {
  switch (action) {
    case 'login':
    case 'logout':
    case 'invite_accepted':
      return 'account';
    case 'token_refreshed':
    case 'token_revoked':
      return 'token';
    case 'user_modified':
    case 'user_updated_password':
    case 'user_deleted':
      return 'user';
    case 'factor_in_progress':
    case 'factor_unenrolled':
    case 'factor_deleted':
    case 'challenge_created':
    case 'verification_attempted':
      return 'factor';
    default:
      return 'team';
  }
}
