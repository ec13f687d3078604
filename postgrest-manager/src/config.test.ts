import { describe, expect, it } from 'vitest';
import { generateMasterKey, loadConfig } from '@launchdb/common';
import { DEFAULT_DATA_API_ENTRY, driverChoiceFromSettings, postgrestManagerConfigSchema } from './config.ts';

const required = {
  PLATFORM_DATABASE_URL: 'postgres://launchdb_platform:pw@127.0.0.1:5432/launchdb',
  LAUNCHDB_MASTER_KEY: generateMasterKey(),
  POSTGREST_MANAGER_INTERNAL_KEY: 'k'.repeat(32),
};

const load = (env: Record<string, string>) => loadConfig(postgrestManagerConfigSchema, { env: { ...required, ...env } });

describe('postgrest-manager config', () => {
  it('defaults to child processes on 127.0.0.1:8081 that never scale to zero', () => {
    const config = load({});
    expect(config).toMatchObject({
      POSTGREST_MANAGER_HOST: '127.0.0.1',
      POSTGREST_MANAGER_PORT: 8081,
      DATA_API_DRIVER: 'process',
      DATA_API_IDLE_SECONDS: 0,
      DATA_API_ENTRY: DEFAULT_DATA_API_ENTRY,
      DATA_API_IMAGE: 'postgrest/postgrest:v12.2.3',
      DOCKER_NETWORK: 'launchdb',
      DATA_API_MEMORY_MB: 256,
      DATA_API_POOL_SIZE: 5,
      DATA_API_LOG_LEVEL: 'error',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: 5432,
    });
    expect(DEFAULT_DATA_API_ENTRY).toMatch(/data-api\/dist\/main\.js$/);
    expect(driverChoiceFromSettings(config, { stateDir: '/var/lib/launchdb/data-apis' })).toEqual({
      kind: 'process',
      entry: DEFAULT_DATA_API_ENTRY,
      stateDir: '/var/lib/launchdb/data-apis',
    });
  });

  it('refuses what cannot work, naming the variable', () => {
    expect(() => load({ POSTGREST_MANAGER_INTERNAL_KEY: 'short' })).toThrow(/POSTGREST_MANAGER_INTERNAL_KEY: expected a secret of at least 32 characters/);
    expect(() => load({ DATA_API_IDLE_SECONDS: '1' })).toThrow(/DATA_API_IDLE_SECONDS: expected 0 \(never scale to zero\) or at least 2 seconds/);
    expect(() => load({ LAUNCHDB_MASTER_KEY: 'abc' })).toThrow(/LAUNCHDB_MASTER_KEY/);
    expect(() => load({ DATA_API_DRIVER: 'kubernetes' })).toThrow(/DATA_API_DRIVER: expected process or docker/);
    expect(() => load({ DATA_API_MEMORY_MB: '16' })).toThrow(/DATA_API_MEMORY_MB/);
    expect(load({ DATA_API_IDLE_SECONDS: '300' }).DATA_API_IDLE_SECONDS).toBe(300);
  });

  it('builds the docker driver’s container options', () => {
    const config = load({ DATA_API_DRIVER: 'docker', DATA_API_IMAGE: 'launchdb/data-api:1', DATA_API_CPUS: '0.5', DATA_API_RESTART_POLICY: 'on-failure', DOCKER_NETWORK: 'launchdb_default' });
    expect(driverChoiceFromSettings(config, { stateDir: '/unused' })).toEqual({
      kind: 'docker',
      container: { image: 'launchdb/data-api:1', network: 'launchdb_default', memoryMb: 256, cpus: 0.5, restartPolicy: 'on-failure' },
    });
  });
});
