import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import {
  isLaunchDbError,
  PROJECT_ID_PATTERN,
  projectNames,
  ProjectSecret,
  withClient,
  withDatabase,
  type DataApiControl,
  type DatabaseAddress,
  type Logger,
  type Pool,
  type ProjectFileStore,
  type ProjectNames,
  type ProjectPooler,
  type SecretBox,
} from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { generateJwtSecret, ProjectApiKeys } from './api-keys.ts';
import { dropRoleIfExists, ensureLoginRole } from './login-roles.ts';
import { closeDatabaseToPublic, dropProjectDatabase, ensureProjectDatabase, isolateProjectDatabase } from './project-database.ts';
import { deriveProjectId } from './project-ids.ts';
import { ProjectLocks } from './project-locks.ts';
import { ProjectRecords, type ProjectRecord } from './project-records.ts';
import { ProjectSecrets } from './project-secrets.ts';
import { ProjectTemplates } from './project-templates.ts';
import { PROVISIONING_STEPS, type ProvisioningFaults, type ProvisioningStep } from './provisioning-steps.ts';

export interface ProjectProvisionerOptions {
  /** The platform database (role launchdb_platform), directly or through PgBouncer. */
  db: Pool;
  /** A superuser URL, direct (never PgBouncer): roles, databases, templates, the per-project lock. */
  adminUrl: string;
  secrets: SecretBox;
  pooler: ProjectPooler;
  dataApis: DataApiControl;
  logger: Logger;
  templates?: ProjectTemplates;
  /** Tests only: throw here to fail a step before or after it does its work. */
  faults?: ProvisioningFaults;
  /** Called whenever a project's live keys change (rotation, deletion): the gateway forgets the old ones. */
  onKeysRotated?: (projectId: string) => void | Promise<void>;
  /** The project's stored files (storage service): removed as part of its deletion, before its record goes. */
  files?: ProjectFileStore;
}

export interface CreateProjectInput {
  /** Derived from the name when absent. */
  id?: string | undefined;
  name: string;
  template?: string | undefined;
}

export interface ProvisioningStarted {
  /** The project's row as the work starts (status `provisioning`, or `active` for a re-run). */
  project: ProjectRecord;
  /** True when the project already existed (failed or interrupted) and is being resumed. */
  resumed: boolean;
  /** Resolves with the active project; rejects with a `provisioning_failed` LaunchDbError. Already handled: ignoring it is safe. */
  finished: Promise<ProjectRecord>;
}

const DERIVED_ID_ATTEMPTS = 5;
const MAX_ERROR_LENGTH = 1_000;

interface StepContext {
  id: string;
  names: ProjectNames;
  template: string | null;
  admin: pg.Client;
  /** Values that must never appear in a stored error message. */
  secrets: string[];
}

/**
 * Creates projects and takes them through every provisioning step; retries resume where a crash
 * or failure stopped them, because each step checks what already exists. Also rotates keys and
 * deletes projects. Every change to one project holds that project's lock.
 */
export class ProjectProvisioner {
  readonly #options: ProjectProvisionerOptions;
  readonly #records: ProjectRecords;
  readonly #secrets: ProjectSecrets;
  readonly #apiKeys: ProjectApiKeys;
  readonly #templates: ProjectTemplates;
  readonly #locks: ProjectLocks;
  readonly #logger: Logger;
  #platformDatabase: Promise<string> | undefined;

  constructor(options: ProjectProvisionerOptions) {
    this.#options = options;
    this.#records = new ProjectRecords(options.db);
    this.#secrets = new ProjectSecrets(options.db, options.secrets);
    this.#apiKeys = new ProjectApiKeys(options.db, options.secrets, this.#secrets);
    this.#templates = options.templates ?? new ProjectTemplates();
    this.#locks = new ProjectLocks(options.adminUrl);
    this.#logger = options.logger;
  }

  /** Creates the project and provisions it; resolves once it is active. */
  async create(input: CreateProjectInput): Promise<ProjectRecord> {
    return (await this.begin(input)).finished;
  }

  /**
   * Records the project and starts provisioning it, resolving as soon as the row exists. The same
   * id while `failed` or `provisioning` resumes it; while `active` it is refused (409).
   */
  async begin(input: CreateProjectInput): Promise<ProvisioningStarted> {
    const template = input.template ?? null;
    if (template !== null && !(await this.#templates.hasAppTemplate(template))) {
      throw PlatformErrors.unknownTemplate(template, await this.#templates.appTemplateNames());
    }
    if (input.id !== undefined) {
      if (!PROJECT_ID_PATTERN.test(input.id)) throw PlatformErrors.validation(`project id must match ${PROJECT_ID_PATTERN.source}`);
      const inserted = await this.#records.insert({ id: input.id, name: input.name, template });
      if (inserted) return this.#start(inserted, false);
      const existing = await this.#records.find(input.id);
      if (!existing) throw new Error(`project ${input.id} vanished while it was being created`);
      if (existing.status === 'active') throw PlatformErrors.projectExists(existing.id);
      if (existing.status === 'deleting') throw PlatformErrors.projectDeleting(existing.id);
      if (input.template !== undefined && existing.template !== template) throw PlatformErrors.projectTemplateMismatch(existing.id, existing.template);
      return this.#start(existing, true);
    }
    for (let attempt = 0; attempt < DERIVED_ID_ATTEMPTS; attempt += 1) {
      const inserted = await this.#records.insert({ id: deriveProjectId(input.name), name: input.name, template });
      if (inserted) return this.#start(inserted, false);
    }
    throw new Error(`no free project id derived from ${JSON.stringify(input.name)} after ${DERIVED_ID_ATTEMPTS} attempts`);
  }

  /** Runs every step again for an existing project (a retry); resolves once it is active. */
  async resume(id: string): Promise<ProjectRecord> {
    return (await this.beginResume(id)).finished;
  }

  async beginResume(id: string): Promise<ProvisioningStarted> {
    const existing = await this.#records.find(id);
    if (!existing) throw PlatformErrors.projectNotFound(id);
    if (existing.status === 'deleting') throw PlatformErrors.projectDeleting(id);
    return this.#start(existing, true);
  }

  /**
   * At boot: provisionings cut short by a crash are resumed and deletions finished. Resolves
   * when all are done; failures are recorded on the projects and logged, never thrown.
   */
  async resumeInterrupted(): Promise<void> {
    for (const id of await this.#records.idsWithStatus('provisioning')) {
      this.#logger.info({ projectId: id }, 'resuming interrupted provisioning');
      await this.resume(id).catch(() => undefined);
    }
    for (const id of await this.#records.idsWithStatus('deleting')) {
      this.#logger.info({ projectId: id }, 'finishing interrupted deletion');
      await this.delete(id, id).catch((error: Error) => this.#logger.error({ projectId: id, err: error }, 'deletion failed'));
    }
  }

  /**
   * At boot: the newer files of the base template (a LaunchDB upgrade: the auth and storage
   * schemas, say) and of each project's app template (Haven's households, say) reach every active
   * project, and its data API reloads its schema cache. Only projects whose recorded fingerprint
   * (platform.projects.templates_applied) differs from the shipped files' are connected to, so a
   * thousand current projects cost one query. Failures are logged per project, never thrown:
   * that project keeps its old schema, and is tried again at the next boot.
   */
  async upgradeTemplates(): Promise<{ upgraded: string[]; failed: string[]; checked: string[] }> {
    const upgraded: string[] = [];
    const failed: string[] = [];
    const checked: string[] = [];
    const fingerprints = new Map<string | null, Promise<string>>();
    const fingerprintOf = (template: string | null): Promise<string> => {
      let fingerprint = fingerprints.get(template);
      if (!fingerprint) fingerprints.set(template, (fingerprint = this.#templates.fingerprint(template)));
      return fingerprint;
    };
    for (const { id, template, templatesApplied } of await this.#records.activeWithTemplates()) {
      try {
        if (templatesApplied === (await fingerprintOf(template))) continue;
        checked.push(id);
        const applied = await this.upgradeTemplatesOf(id);
        if (applied.length > 0) {
          upgraded.push(id);
          this.#logger.info({ projectId: id, applied }, 'project templates upgraded');
        }
      } catch (error) {
        failed.push(id);
        this.#logger.error({ projectId: id, err: error }, 'project template upgrade failed');
      }
    }
    return { upgraded, failed, checked };
  }

  /**
   * The base and app templates' files the project's database lacks, applied (a database
   * restored from an older backup, say); records its fingerprint. Resolves with the files applied.
   */
  async upgradeTemplatesOf(id: string): Promise<string[]> {
    return this.#locks.run(id, async () => {
      const project = await this.#records.find(id);
      if (project?.status !== 'active') return [];
      const fingerprint = await this.#templates.fingerprint(project.template);
      const names = projectNames(id);
      const files = await this.#inProjectDatabase(names, async (client) => {
        const files = await this.#templates.applyBase(client, names);
        if (project.template !== null) files.push(...(await this.#templates.applyApp(client, names, project.template)));
        // a data API already running learns the new tables and functions
        if (files.length > 0) await client.query(`notify pgrst, 'reload schema'`);
        return files;
      });
      await this.#records.recordTemplatesApplied(id, fingerprint);
      return files;
    });
  }

  /**
   * A new JWT secret and new anon and service-role keys; the old keys stop working once the data
   * API has reloaded with the new secret.
   */
  async rotateKeys(id: string): Promise<void> {
    await this.#locks.run(id, async () => {
      const project = await this.#records.find(id);
      if (!project) throw PlatformErrors.projectNotFound(id);
      if (project.status !== 'active') throw PlatformErrors.projectNotActive(id, project.status);
      await this.#apiKeys.rotate(id);
      this.#logger.info({ projectId: id }, 'project keys rotated');
      try {
        await this.#options.dataApis.reload(id);
      } catch (error) {
        throw PlatformErrors.dataApiReloadFailed(id, (error as Error).message);
      } finally {
        await this.#keysChanged(id);
      }
    });
  }

  /** Writes the project's PgBouncer entry again and reloads (`launchdb project pooler-add`); where data APIs connect. */
  async refreshPoolEntry(id: string): Promise<DatabaseAddress> {
    return this.#locks.run(id, async () => {
      const project = await this.#records.find(id);
      if (!project) throw PlatformErrors.projectNotFound(id);
      if (project.status === 'deleting') throw PlatformErrors.projectDeleting(id);
      await this.#options.pooler.addProject(id);
      return this.#options.pooler.address;
    });
  }

  /** Stops its data API, removes its pool entry, drops its database and roles, then forgets it. Resumable. */
  async delete(id: string, confirm: string | undefined): Promise<void> {
    if (confirm !== id) throw PlatformErrors.confirmationRequired(id);
    await this.#locks.run(id, async (admin) => {
      const project = await this.#records.find(id);
      if (!project) throw PlatformErrors.projectNotFound(id);
      const names = projectNames(id);
      try {
        await this.#records.markDeleting(id);
        await this.#options.dataApis.stop(id);
        await this.#options.pooler.removeProject(id);
        await dropProjectDatabase(admin, names.database);
        await dropRoleIfExists(admin, names.authenticator);
        await dropRoleIfExists(admin, names.owner);
        await this.#options.files?.deleteProject(id);
        await this.#records.delete(id);
      } catch (error) {
        if (isLaunchDbError(error)) throw error;
        this.#logger.error({ projectId: id, err: error }, 'project deletion failed');
        throw PlatformErrors.deletionFailed(id, safeMessage(error, []));
      }
      this.#logger.info({ projectId: id }, 'project deleted');
      await this.#keysChanged(id);
    });
  }

  #start(project: ProjectRecord, resumed: boolean): ProvisioningStarted {
    const finished = this.#locks.run(project.id, (admin) => this.#provision(project.id, admin));
    // a caller that answered 202 never awaits this: the outcome is on the project's row
    finished.catch(() => undefined);
    // as the project will read while the work runs (a failed one is marked provisioning again)
    const running: ProjectRecord = project.status === 'active' ? project : { ...project, status: 'provisioning', failedStep: null, error: null };
    return { project: running, resumed, finished };
  }

  async #provision(id: string, admin: pg.Client): Promise<ProjectRecord> {
    const project = await this.#records.find(id);
    if (!project) throw PlatformErrors.projectNotFound(id);
    if (project.status === 'deleting') throw PlatformErrors.projectDeleting(id);
    // an active project being provisioned again stays visible as active while it runs
    if (project.status !== 'active') await this.#records.markProvisioning(id);
    const context: StepContext = { id, names: projectNames(id), template: project.template, admin, secrets: [] };
    const started = performance.now();
    for (const step of PROVISIONING_STEPS) {
      const stepStarted = performance.now();
      try {
        await this.#options.faults?.(step, 'before');
        await this.#runStep(step, context);
        await this.#options.faults?.(step, 'after');
      } catch (error) {
        const message = safeMessage(error, context.secrets);
        this.#logger.error({ projectId: id, step, error: message }, 'provisioning failed');
        await this.#records.markFailed(id, step, message).catch((markError: Error) =>
          // the row stays `provisioning`: resumeInterrupted() picks it up at the next start
          this.#logger.error({ projectId: id, err: markError }, 'could not record the provisioning failure'),
        );
        throw PlatformErrors.provisioningFailed(step, message);
      }
      this.#logger.debug({ projectId: id, step, ms: Math.round(performance.now() - stepStarted) }, 'provisioning step done');
    }
    await this.#records.markActive(id);
    this.#logger.info({ projectId: id, ms: Math.round(performance.now() - started) }, 'project active');
    return (await this.#records.find(id))!;
  }

  async #runStep(step: ProvisioningStep, context: StepContext): Promise<void> {
    const { id, names, admin } = context;
    switch (step) {
      case 'roles': {
        const owner = await this.#secrets.ensure(id, ProjectSecret.ownerPassword, generatePassword);
        const authenticator = await this.#secrets.ensure(id, ProjectSecret.authenticatorPassword, generatePassword);
        context.secrets.push(owner, authenticator);
        await ensureLoginRole(admin, names.owner, owner, { inherit: true });
        await ensureLoginRole(admin, names.authenticator, authenticator, { inherit: false });
        return;
      }
      case 'database':
        return ensureProjectDatabase(admin, names);
      case 'isolation': {
        await isolateProjectDatabase(admin, names);
        this.#platformDatabase ??= this.#options.db.query<{ name: string }>('select current_database() as name').then(({ rows }) => rows[0]!.name);
        const platformDatabase = await this.#platformDatabase.catch((error: unknown) => {
          this.#platformDatabase = undefined;
          throw error;
        });
        if (!(await closeDatabaseToPublic(admin, platformDatabase))) {
          this.#logger.warn({ database: platformDatabase }, 'the platform database is a shared one; left open to every role');
        }
        return;
      }
      case 'base_template':
        await this.#inProjectDatabase(names, (client) => this.#templates.applyBase(client, names));
        return;
      case 'app_template': {
        const template = context.template;
        const fingerprint = await this.#templates.fingerprint(template);
        await this.#inProjectDatabase(names, async (client) => {
          if (template !== null) await this.#templates.applyApp(client, names, template);
          // the catalogs the templates filled get their statistics now (~0.1 s) rather than from
          // autovacuum in the minutes after: a dozen transactions in each new database, whose
          // writes to pg_statistic move the pg_stat_database counts the removals and worker sweeps
          // watch, so each sweep came back to every freshly created database once more. This
          // session's own changes are counted first (PostgreSQL flushes them at most once a
          // second): counted after the ANALYZE, they would ask autovacuum for another one.
          await client.query(`do $$ begin if current_setting('server_version_num')::int >= 150000 then perform pg_stat_force_next_flush(); end if; end $$`);
          await client.query('analyze');
        });
        // both templates are in: the next boot's upgrade need not look at this project
        await this.#records.recordTemplatesApplied(id, fingerprint);
        return;
      }
      case 'jwt_secret':
        context.secrets.push(await this.#secrets.ensure(id, ProjectSecret.jwtSecret, generateJwtSecret));
        return;
      case 'api_keys': {
        const jwtSecret = await this.#secrets.read(id, ProjectSecret.jwtSecret);
        if (jwtSecret === undefined) throw new Error('the project has no JWT secret');
        return this.#apiKeys.ensure(id, jwtSecret);
      }
      case 'pooler':
        return this.#options.pooler.addProject(id);
      case 'data_api':
        return this.#options.dataApis.spawn(id);
    }
  }

  #inProjectDatabase<T>(names: ProjectNames, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return withClient(withDatabase(this.#options.adminUrl, names.database), work);
  }

  async #keysChanged(id: string): Promise<void> {
    try {
      await this.#options.onKeysRotated?.(id);
    } catch (error) {
      this.#logger.warn({ projectId: id, err: error }, 'onKeysRotated failed');
    }
  }
}

function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** An error's message as stored on the project and returned to operators: bounded, and without our secrets. */
function safeMessage(error: unknown, secrets: string[]): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) if (secret) message = message.replaceAll(secret, '[redacted]');
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}
