import { ProjectCatalog } from './project-catalog.ts';
import { ProjectMigrations } from './project-migrations.ts';
import { ProjectProvisioner, type ProjectProvisionerOptions } from './project-provisioner.ts';

/** Everything the project routes use, built from one set of dependencies. */
export interface ProjectServices {
  provisioner: ProjectProvisioner;
  migrations: ProjectMigrations;
  catalog: ProjectCatalog;
}

export function createProjectServices(options: ProjectProvisionerOptions): ProjectServices {
  return {
    provisioner: new ProjectProvisioner(options),
    migrations: new ProjectMigrations({ db: options.db, adminUrl: options.adminUrl, secrets: options.secrets }),
    catalog: new ProjectCatalog(options.db, options.secrets),
  };
}
