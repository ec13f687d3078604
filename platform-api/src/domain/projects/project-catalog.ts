import { readLiveApiKeys, type LiveApiKeys, type Pool, type SecretBox } from '@launchdb/common';
import { ProjectRecords, type ProjectRecord } from './project-records.ts';

export interface ProjectDetails extends ProjectRecord {
  /** The keys in force, only while the project is active. */
  keys: LiveApiKeys | null;
}

/** What operators read about projects. */
export class ProjectCatalog {
  readonly #db: Pool;
  readonly #secrets: SecretBox;
  readonly #records: ProjectRecords;

  constructor(db: Pool, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
    this.#records = new ProjectRecords(db);
  }

  list(): Promise<ProjectRecord[]> {
    return this.#records.list();
  }

  async get(id: string): Promise<ProjectDetails | undefined> {
    const project = await this.#records.find(id);
    if (!project) return undefined;
    const keys = project.status === 'active' ? await readLiveApiKeys(this.#db, this.#secrets, id) : null;
    return { ...project, keys };
  }
}
