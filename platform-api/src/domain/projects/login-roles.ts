import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '@launchdb/common';
import { scramVerifier, scramVerifierMatches } from './scram-verifier.ts';

/**
 * Makes a login role exist with this password (as a SCRAM verifier) and these attributes.
 * Run over a superuser connection, under the project's lock.
 */
export async function ensureLoginRole(admin: pg.Client, role: string, password: string, options: { inherit: boolean }): Promise<void> {
  const attributes = `login nosuperuser nocreatedb nocreaterole noreplication nobypassrls ${options.inherit ? 'inherit' : 'noinherit'}`;
  const { rows } = await admin.query<{ rolpassword: string | null }>('select rolpassword from pg_catalog.pg_authid where rolname = $1', [role]);
  if (!rows[0]) {
    // DDL takes no bind parameters: the name is quoted, the verifier is ours (base64 and `$:`)
    await admin.query(`create role ${quoteIdent(role)} ${attributes} password ${quoteLiteral(scramVerifier(password))}`);
    return;
  }
  const password_ = scramVerifierMatches(rows[0].rolpassword, password) ? '' : ` password ${quoteLiteral(scramVerifier(password))}`;
  await admin.query(`alter role ${quoteIdent(role)} ${attributes}${password_}`);
}

export async function dropRoleIfExists(admin: pg.Client, role: string): Promise<void> {
  await admin.query(`drop role if exists ${quoteIdent(role)}`);
}
