import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { z } from 'zod';
import { applyMigrations, quoteIdent, readMigrations, type ProjectNames } from '@launchdb/common';

export const BASE_TEMPLATE_FOLDER = fileURLToPath(new URL('../../../../postgres/project/base/', import.meta.url));
export const APP_TEMPLATES_FOLDER = fileURLToPath(new URL('../../../../postgres/templates/', import.meta.url));

const TEMPLATE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * What an app template says of itself (`template.json` beside its SQL files): which dashboard app
 * serves its projects and whether the worker serves them, so no part of the platform has to know
 * templates by name.
 */
const appTemplateManifestSchema = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  dashboard_app: z.string().min(1).optional(),
  worker: z.boolean().default(false),
});
export type AppTemplateManifest = z.infer<typeof appTemplateManifestSchema>;

/** Where the provisioner records which files of each template a project database has. */
export const TEMPLATE_TABLES = {
  base: { schema: 'launchdb', table: 'template_migrations' },
  app: { schema: 'launchdb', table: 'app_template_migrations' },
} as const;

/**
 * The SQL every project database gets (the base template) and the app templates an operator may
 * choose from (`postgres/templates/<name>/NNNN_*.sql`). Both are versioned per database, so a
 * newer base template reaches old projects the next time they are provisioned.
 */
export class ProjectTemplates {
  readonly #baseFolder: string;
  readonly #appFolder: string;

  constructor(folders: { base?: string; apps?: string } = {}) {
    this.#baseFolder = folders.base ?? BASE_TEMPLATE_FOLDER;
    this.#appFolder = folders.apps ?? APP_TEMPLATES_FOLDER;
  }

  async appTemplateNames(): Promise<string[]> {
    const entries = await readdir(this.#appFolder, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && TEMPLATE_NAME.test(entry.name)).map((entry) => entry.name).sort();
  }

  /** A template without `template.json` is plain SQL: no dashboard app, no worker. */
  async manifest(name: string): Promise<AppTemplateManifest | undefined> {
    if (!(await this.hasAppTemplate(name))) return undefined;
    const text = await readFile(join(this.#appFolder, name, 'template.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return { title: name, worker: false };
    return appTemplateManifestSchema.parse(JSON.parse(text));
  }

  async hasAppTemplate(name: string): Promise<boolean> {
    return TEMPLATE_NAME.test(name) && (await this.appTemplateNames()).includes(name);
  }

  /**
   * Over a superuser connection to the project database. The files read the project's role
   * names from session settings (this is a direct connection, never PgBouncer).
   */
  async applyBase(client: pg.Client, names: ProjectNames): Promise<string[]> {
    await client.query(`select set_config('launchdb.owner_role', $1, false), set_config('launchdb.authenticator_role', $2, false)`, [
      names.owner,
      names.authenticator,
    ]);
    return applyMigrations(client, await readMigrations(this.#baseFolder), TEMPLATE_TABLES.base);
  }

  /**
   * The files a project made with `template` (null: none) gets, as one value: each file's
   * version and checksum, base then app. Equal fingerprints, equal files: no upgrade to look for.
   */
  async fingerprint(template: string | null): Promise<string> {
    const hash = createHash('sha256');
    for (const migration of await readMigrations(this.#baseFolder)) hash.update(`base ${migration.version} ${migration.checksum}\n`);
    if (template !== null && (await this.hasAppTemplate(template))) {
      for (const migration of await readMigrations(join(this.#appFolder, template))) hash.update(`app ${template} ${migration.version} ${migration.checksum}\n`);
    }
    return hash.digest('hex');
  }

  /** Each file runs as the project's owner role, so what it creates belongs to the owner. */
  async applyApp(client: pg.Client, names: ProjectNames, template: string): Promise<string[]> {
    if (!(await this.hasAppTemplate(template))) throw new Error(`there is no app template ${template}`);
    const migrations = await readMigrations(join(this.#appFolder, template));
    // the checksum stays the file's own: only the text sent gains the SET LOCAL ROLE
    const asOwner = migrations.map((migration) => ({ ...migration, sql: `set local role ${quoteIdent(names.owner)};\n${migration.sql}` }));
    return applyMigrations(client, asOwner, TEMPLATE_TABLES.app);
  }
}
