import type { Pool } from '@launchdb/common';
import type { ProvisioningStep } from './provisioning-steps.ts';

export type ProjectStatus = 'provisioning' | 'active' | 'failed' | 'deleting';

export interface ProjectRecord {
  id: string;
  name: string;
  status: ProjectStatus;
  template: string | null;
  failedStep: string | null;
  /** Why the last provisioning failed, safe to show to operators. */
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ProjectRow {
  id: string;
  name: string;
  status: ProjectStatus;
  template: string | null;
  failed_step: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, status, template, failed_step, error, created_at, updated_at';

function toRecord(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    template: row.template,
    failedStep: row.failed_step,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The rows of platform.projects: what exists and how far its provisioning got. */
export class ProjectRecords {
  readonly #db: Pool;

  constructor(db: Pool) {
    this.#db = db;
  }

  /** The new row, or undefined when a project with this id already exists. */
  async insert(project: { id: string; name: string; template: string | null }): Promise<ProjectRecord | undefined> {
    const { rows } = await this.#db.query<ProjectRow>(
      `insert into platform.projects (id, name, template) values ($1, $2, $3)
       on conflict (id) do nothing returning ${COLUMNS}`,
      [project.id, project.name, project.template],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async find(id: string): Promise<ProjectRecord | undefined> {
    const { rows } = await this.#db.query<ProjectRow>(`select ${COLUMNS} from platform.projects where id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<ProjectRecord[]> {
    const { rows } = await this.#db.query<ProjectRow>(`select ${COLUMNS} from platform.projects order by created_at, id`);
    return rows.map(toRecord);
  }

  async idsWithStatus(status: ProjectStatus): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>('select id from platform.projects where status = $1 order by created_at', [status]);
    return rows.map((row) => row.id);
  }

  /** Active projects with their app template and the fingerprint of the template files their database has (null: unknown). */
  async activeWithTemplates(): Promise<Array<{ id: string; template: string | null; templatesApplied: string | null }>> {
    const { rows } = await this.#db.query<{ id: string; template: string | null; templates_applied: string | null }>(
      `select id, template, templates_applied from platform.projects where status = 'active' order by created_at`,
    );
    return rows.map((row) => ({ id: row.id, template: row.template, templatesApplied: row.templates_applied }));
  }

  async recordTemplatesApplied(id: string, fingerprint: string): Promise<void> {
    await this.#db.query('update platform.projects set templates_applied = $2 where id = $1', [id, fingerprint]);
  }

  markProvisioning(id: string): Promise<void> {
    return this.#update(id, 'provisioning', null, null);
  }

  markActive(id: string): Promise<void> {
    return this.#update(id, 'active', null, null);
  }

  markFailed(id: string, step: ProvisioningStep, error: string): Promise<void> {
    return this.#update(id, 'failed', step, error);
  }

  markDeleting(id: string): Promise<void> {
    return this.#update(id, 'deleting', null, null);
  }

  /** Its secrets and API keys go with it (on delete cascade). */
  async delete(id: string): Promise<void> {
    await this.#db.query('delete from platform.projects where id = $1', [id]);
  }

  async #update(id: string, status: ProjectStatus, failedStep: string | null, error: string | null): Promise<void> {
    await this.#db.query(
      'update platform.projects set status = $2, failed_step = $3, error = $4, updated_at = now() where id = $1',
      [id, status, failedStep, error],
    );
  }
}
