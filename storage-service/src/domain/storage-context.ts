import { withRequestRole, type ActiveProject, type Logger } from '@launchdb/common';
import type { StorageBackend } from '../backends/storage-backend.ts';
import type { StorageServiceSettings } from '../settings.ts';
import type { Sql } from '../sql/rows.ts';
import { SERVICE_CALLER, requestIdentity, type Caller } from './caller.ts';

/** One request's view of storage: whose project, acting as whom, over which backend. */
export interface StorageContext {
  project: ActiveProject;
  caller: Caller;
  backend: StorageBackend;
  settings: StorageServiceSettings;
  logger: Logger;
}

/** One transaction as the caller: row-level security decides what it sees and changes. */
export function asCaller<T>(context: StorageContext, work: (sql: Sql) => Promise<T>): Promise<T> {
  return withRequestRole(context.project.db, requestIdentity(context.caller), work);
}

/** One transaction as service_role, for lookups that must not depend on the caller (public buckets, signed URLs, limits). */
export function asService<T>(context: StorageContext, work: (sql: Sql) => Promise<T>): Promise<T> {
  return withRequestRole(context.project.db, requestIdentity(SERVICE_CALLER), work);
}

/** The same request acting as service_role (signed URL holders act with the signer's grant). */
export function withServiceRole(context: StorageContext, owner: string | null = null): StorageContext {
  return { ...context, caller: { ...SERVICE_CALLER, owner } };
}

const ROLLBACK = Symbol('rollback');

/**
 * Runs `work` as the caller and rolls it back whatever it did: asks the database whether the
 * caller's policies would allow a write, before any byte is stored (Supabase's canUpload).
 */
export async function dryRunAsCaller(context: StorageContext, work: (sql: Sql) => Promise<void>): Promise<void> {
  try {
    await asCaller(context, async (sql) => {
      await work(sql);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
}
