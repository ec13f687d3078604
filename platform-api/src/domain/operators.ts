import type { Pool } from '@launchdb/common';
import { decoyPasswordHash, hashPassword, verifyPassword } from '@launchdb/common';

export interface Operator {
  id: string;
  email: string;
  createdAt: string;
  lastLoginAt: string | null;
}

interface OperatorRow {
  id: string;
  email: string;
  created_at: Date;
  last_login_at: Date | null;
}

function toOperator(row: OperatorRow): Operator {
  return {
    id: row.id,
    email: row.email,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
  };
}

/** Operator accounts of the control plane (platform.operators). */
export class OperatorAccounts {
  readonly #db: Pool;

  constructor(db: Pool) {
    this.#db = db;
  }

  async create(email: string, password: string): Promise<Operator> {
    const passwordHash = await hashPassword(password);
    const { rows } = await this.#db.query<OperatorRow>(
      `insert into platform.operators (email, password_hash) values ($1, $2)
       returning id, email, created_at, last_login_at`,
      [email, passwordHash],
    );
    return toOperator(rows[0]!);
  }

  async count(): Promise<number> {
    const { rows } = await this.#db.query<{ count: number }>('select count(*)::int as count from platform.operators');
    return rows[0]!.count;
  }

  /** The operator when email and password match; undefined otherwise, in the same time either way. */
  async authenticate(email: string, password: string): Promise<Operator | undefined> {
    const { rows } = await this.#db.query<OperatorRow & { password_hash: string }>(
      `select id, email, password_hash, created_at, last_login_at
         from platform.operators where lower(email) = lower($1)`,
      [email],
    );
    const row = rows[0];
    const matches = await verifyPassword(row?.password_hash ?? (await decoyPasswordHash()), password);
    if (!row || !matches) return undefined;
    const updated = await this.#db.query<OperatorRow>(
      `update platform.operators set last_login_at = now() where id = $1
       returning id, email, created_at, last_login_at`,
      [row.id],
    );
    return toOperator(updated.rows[0]!);
  }

  async findById(id: string): Promise<Operator | undefined> {
    const { rows } = await this.#db.query<OperatorRow>(
      'select id, email, created_at, last_login_at from platform.operators where id = $1',
      [id],
    );
    return rows[0] ? toOperator(rows[0]) : undefined;
  }
}
