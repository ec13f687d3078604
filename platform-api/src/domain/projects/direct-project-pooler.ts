import type { DatabaseAddress, ProjectPooler } from '@launchdb/common';

/** Where no PgBouncer runs: data APIs connect to PostgreSQL itself, and there is no entry to keep. */
export class DirectProjectPooler implements ProjectPooler {
  readonly address: DatabaseAddress;

  constructor(postgres: DatabaseAddress) {
    this.address = { host: postgres.host, port: postgres.port };
  }

  async addProject(): Promise<void> {}

  async removeProject(): Promise<void> {}
}
