import {
  InvalidAuthSettingsError,
  readProjectAuthSettings,
  writeProjectAuthSettings,
  type Pool,
  type ProjectAuthSettingsChange,
  type SecretBox,
  type StoredProjectAuthSettings,
} from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { ProjectRecords } from './project-records.ts';

/**
 * Operators' view of a project's auth settings (site URL, redirect allow list, SMTP, templates,
 * limits): what the project overrides of the platform's defaults. The SMTP password is write-only.
 */
export class ProjectAuthSettings {
  readonly #db: Pool;
  readonly #secrets: SecretBox;
  readonly #records: ProjectRecords;
  readonly #onChanged: (projectId: string) => void;

  constructor(db: Pool, secrets: SecretBox, onChanged: (projectId: string) => void = () => undefined) {
    this.#db = db;
    this.#secrets = secrets;
    this.#records = new ProjectRecords(db);
    this.#onChanged = onChanged;
  }

  async get(projectId: string): Promise<StoredProjectAuthSettings> {
    await this.#assertExists(projectId);
    return readProjectAuthSettings(this.#db, projectId);
  }

  async update(projectId: string, change: ProjectAuthSettingsChange): Promise<StoredProjectAuthSettings> {
    await this.#assertExists(projectId);
    try {
      const stored = await writeProjectAuthSettings(this.#db, this.#secrets, projectId, change);
      this.#onChanged(projectId);
      return stored;
    } catch (error) {
      if (error instanceof InvalidAuthSettingsError) throw PlatformErrors.validation(error.message);
      throw error;
    }
  }

  async #assertExists(projectId: string): Promise<void> {
    const project = await this.#records.find(projectId);
    if (!project || project.status === 'deleting') throw PlatformErrors.projectNotFound(projectId);
  }
}
