import { HavenDemo } from './haven-demo.ts';
import { ProjectAuthSettings } from './project-auth-settings.ts';
import { ProjectCatalog } from './project-catalog.ts';
import { ProjectKeyRing } from './project-key-ring.ts';
import { ProjectMigrations } from './project-migrations.ts';
import { ProjectProvisioner, type ProjectProvisionerOptions } from './project-provisioner.ts';
import { ProjectS3AccessKeys } from './project-s3-access-keys.ts';
import { ProjectTemplates } from './project-templates.ts';

/** Everything the project routes use, built from one set of dependencies. */
export interface ProjectServices {
  provisioner: ProjectProvisioner;
  migrations: ProjectMigrations;
  catalog: ProjectCatalog;
  authSettings: ProjectAuthSettings;
  /** Asymmetric JWT signing keys: create, rotate, revoke. */
  signingKeys: ProjectKeyRing;
  /** S3 access keys for the project's /storage/v1/s3: create, list, revoke. */
  s3AccessKeys: ProjectS3AccessKeys;
  templates: ProjectTemplates;
  havenDemo: HavenDemo;
}

export interface ProjectServicesOptions extends ProjectProvisionerOptions {
  /** Called after a project's auth settings change: the auth service forgets what it cached. */
  onAuthSettingsChanged?: (projectId: string) => void;
}

export function createProjectServices(options: ProjectServicesOptions): ProjectServices {
  const templates = options.templates ?? new ProjectTemplates();
  return {
    templates,
    authSettings: new ProjectAuthSettings(options.db, options.secrets, options.onAuthSettingsChanged),
    signingKeys: new ProjectKeyRing({ db: options.db, secrets: options.secrets, dataApis: options.dataApis, onKeysRotated: options.onKeysRotated, logger: options.logger }),
    s3AccessKeys: new ProjectS3AccessKeys(options.db, options.secrets),
    provisioner: new ProjectProvisioner({ ...options, templates }),
    migrations: new ProjectMigrations({ db: options.db, adminUrl: options.adminUrl, secrets: options.secrets }),
    catalog: new ProjectCatalog(options.db, options.secrets),
    havenDemo: new HavenDemo({ adminUrl: options.adminUrl }),
  };
}
