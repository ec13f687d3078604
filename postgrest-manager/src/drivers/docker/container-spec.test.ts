import { describe, expect, it } from 'vitest';
import { settingsHash, type DataApiSettings } from '../../domain/data-api-settings.ts';
import { buildContainerSpec, containerName, DEFAULT_DATA_API_IMAGE, imageKindOf } from './container-spec.ts';
import { demultiplexDockerLogs } from './docker-logs.ts';

const settings: DataApiSettings = {
  projectId: 'acme42',
  dbUri: 'postgres://proj_acme42_authenticator:pw%2Fsecret@pgbouncer:6432/proj_acme42',
  dbListenUri: 'postgres://proj_acme42_authenticator:pw%2Fsecret@postgres:5432/proj_acme42',
  jwtSecret: 'a-project-jwt-secret-of-enough-length-1234',
  dbSchemas: 'public',
  anonRole: 'anon',
  dbPool: 5,
  logLevel: 'error',
};

const env = (spec: { Env?: string[] | undefined }) => Object.fromEntries(spec.Env!.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

describe('buildContainerSpec', () => {
  it('names, labels and places the container of a project on the network', () => {
    const spec = buildContainerSpec(settings, { network: 'launchdb', memoryMb: 256 });
    expect(spec.name).toBe('postgrest-acme42');
    expect(containerName('acme42')).toBe('postgrest-acme42');
    expect(spec.Image).toBe(DEFAULT_DATA_API_IMAGE);
    expect(DEFAULT_DATA_API_IMAGE).toBe('postgrest/postgrest:v12.2.3');
    expect(spec.Labels).toEqual({
      'launchdb.project': 'acme42',
      'launchdb.managed': 'true',
      'launchdb.settings-hash': settingsHash(settings),
    });
    expect(spec.HostConfig!.NetworkMode).toBe('launchdb');
    expect(spec.NetworkingConfig).toEqual({ EndpointsConfig: { launchdb: { Aliases: ['postgrest-acme42'] } } });
    expect(spec.ExposedPorts).toEqual({ '3000/tcp': {}, '3001/tcp': {} });
    // nothing is published on the host: only the network reaches it
    expect(spec.HostConfig!.PortBindings).toBeUndefined();
  });

  it('passes exactly the PGRST settings, listening on every IPv4 address', () => {
    const spec = buildContainerSpec(settings, { network: 'launchdb', memoryMb: 256, image: 'launchdb/data-api:1.0' });
    expect(env(spec)).toEqual({
      PGRST_DB_URI: settings.dbUri,
      PGRST_DB_LISTEN_URI: settings.dbListenUri,
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_DB_POOL: '5',
      PGRST_JWT_SECRET: settings.jwtSecret,
      PGRST_LOG_LEVEL: 'error',
      PGRST_SERVER_HOST: '0.0.0.0',
      PGRST_SERVER_PORT: '3000',
      PGRST_ADMIN_SERVER_PORT: '3001',
    });
    expect(spec.Env).toEqual([...spec.Env!].sort());
  });

  it('connects the official PostgREST directly to PostgreSQL, since it LISTENs on db-uri', () => {
    const spec = buildContainerSpec(settings, { network: 'launchdb', memoryMb: 256 });
    expect(env(spec).PGRST_DB_URI).toBe(settings.dbListenUri);
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 256, image: 'launchdb/data-api:1', imageKind: 'postgrest' }).Env).toContain(`PGRST_DB_URI=${settings.dbListenUri}`);
  });

  it('limits memory (without swap), CPU and processes, and hardens the container', () => {
    const spec = buildContainerSpec(settings, { network: 'launchdb', memoryMb: 192, cpus: 0.5 });
    expect(spec.HostConfig).toMatchObject({
      Memory: 192 * 1024 * 1024,
      MemorySwap: 192 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 256,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Init: true,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64 }).HostConfig!.NanoCpus).toBeUndefined();
    expect(() => buildContainerSpec(settings, { network: 'n', memoryMb: 8 })).toThrow(RangeError);
    expect(() => buildContainerSpec(settings, { network: 'n', memoryMb: 64, cpus: 0 })).toThrow(RangeError);
  });

  it('restarts unless stopped by default, or on failure a bounded number of times', () => {
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64 }).HostConfig!.RestartPolicy).toEqual({ Name: 'unless-stopped' });
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, restartPolicy: 'on-failure' }).HostConfig!.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 5 });
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, restartPolicy: 'on-failure', maxRestarts: 2 }).HostConfig!.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
  });

  it('checks health with what the image has', () => {
    const ours = buildContainerSpec(settings, { network: 'n', memoryMb: 64, image: 'ghcr.io/example/launchdb-data-api:2' });
    expect(ours.Healthcheck).toEqual({
      Test: ['CMD', 'node', '-e', expect.stringContaining("fetch('http://127.0.0.1:3001/ready')")],
      Interval: 5_000_000_000,
      Timeout: 2_000_000_000,
      Retries: 3,
      StartPeriod: 10_000_000_000,
    });
    // PostgREST 12 is a lone binary without shell or curl, and cannot check itself before v14
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64 }).Healthcheck).toBeUndefined();
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, image: 'postgrest/postgrest:v14.1' }).Healthcheck!.Test).toEqual(['CMD', 'postgrest', '--ready']);
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, healthCheck: ['CMD', 'true'] }).Healthcheck!.Test).toEqual(['CMD', 'true']);
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, image: 'x/data-api:1', healthCheck: 'none' }).Healthcheck).toBeUndefined();
  });

  it('tells the official image from ours by its name', () => {
    expect(imageKindOf('postgrest/postgrest:v12.2.3')).toBe('postgrest');
    expect(imageKindOf('postgrest/postgrest')).toBe('postgrest');
    expect(imageKindOf('docker.io/postgrest/postgrest:v14.1@sha256:' + 'a'.repeat(64))).toBe('postgrest');
    expect(imageKindOf('registry.local:5000/postgrest/postgrest:v12')).toBe('postgrest');
    expect(imageKindOf('launchdb/data-api:latest')).toBe('data-api');
    expect(imageKindOf('example/postgrest-fork:1')).toBe('data-api');
  });

  it('is pure: the same input gives the same spec, and a reload gets another name when asked', () => {
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64 })).toEqual(buildContainerSpec(settings, { network: 'n', memoryMb: 64 }));
    expect(buildContainerSpec(settings, { network: 'n', memoryMb: 64, name: 'postgrest-acme42-next' }).name).toBe('postgrest-acme42-next');
    const rotated = buildContainerSpec({ ...settings, jwtSecret: 'another-secret-of-sufficient-length-5678' }, { network: 'n', memoryMb: 64 });
    expect(rotated.Labels!['launchdb.settings-hash']).not.toBe(settingsHash(settings));
  });
});

describe('demultiplexDockerLogs', () => {
  const frame = (stream: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('reads stdout and stderr frames into lines', () => {
    const data = Buffer.concat([frame(1, '{"msg":"one"}\n{"msg":"tw'), frame(2, 'o"}\nplain error\n')]);
    expect(demultiplexDockerLogs(data)).toEqual(['{"msg":"one"}', '{"msg":"two"}', 'plain error']);
  });

  it('reads a TTY container’s unframed output as it is', () => {
    expect(demultiplexDockerLogs(Buffer.from('line one\r\nline two\n'))).toEqual(['line one', 'line two']);
    expect(demultiplexDockerLogs(Buffer.alloc(0))).toEqual([]);
  });
});
