import { randomBytes } from 'node:crypto';
import type { Pool } from '@launchdb/common';
import { OperatorAccounts } from '../domain/operators.ts';

export const DEFAULT_ADMIN_EMAIL = 'admin@launchdb.local';

export type FirstOperatorOutcome =
  | { created: false }
  | { created: true; email: string; generatedPassword: string | undefined };

/**
 * On a platform with no operator yet, creates one from the configured email and password,
 * or with a generated password that the caller prints exactly once.
 */
export async function ensureFirstOperator(
  db: Pool,
  configured: { email: string | undefined; password: string | undefined },
): Promise<FirstOperatorOutcome> {
  const operators = new OperatorAccounts(db);
  if ((await operators.count()) > 0) return { created: false };
  const email = configured.email ?? DEFAULT_ADMIN_EMAIL;
  const generatedPassword = configured.password ? undefined : randomBytes(18).toString('base64url');
  await operators.create(email, configured.password ?? generatedPassword!);
  return { created: true, email, generatedPassword };
}
