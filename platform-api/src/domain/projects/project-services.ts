import { ProjectAuthSettings } from './project-auth-settings.ts';
import { ProjectCatalog } from './project-catalog.ts';
import { ProjectMigrations } from './project-migrations.ts';
import { ProjectProvisioner, type ProjectProvisionerOptions } from './project-provisioner.ts';
import { ProjectTemplates } from './project-templates.ts';

/** Everything the project routes use, built from one set of dependencies. */
export interface ProjectServices {
  provisioner: ProjectProvisioner;
  migrations: ProjectMigrations;
  catalog: ProjectCatalog;
  authSettings: ProjectAuthSettings;
  templates: ProjectTemplates;
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
    provisioner: new ProjectProvisioner({ ...options, templates }),
    migrations: new ProjectMigrations({ db: options.db, adminUrl: options.adminUrl, secrets: options.secrets }),
    catalog: new ProjectCatalog(options.db, options.secrets),
  };
}
