import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@launchdb/common';
import { platformApiConfigSchema, PLATFORM_ROLE } from '@launchdb/platform-api';
import { platformPoolSettings } from '@launchdb/pgbouncer';
import { launchdbConfigSchema } from '../cli/src/config.ts';
import { postgrestManagerConfigSchema } from '../postgrest-manager/src/config.ts';
import { mainConfigSchema as authConfigSchema } from '../auth-service/src/main-config.ts';
import { mainConfigSchema as storageConfigSchema } from '../storage-service/src/main-config.ts';
import { mainConfigSchema as workerConfigSchema } from '../worker/src/main-config.ts';
import { mainConfigSchema as backupConfigSchema } from '../backup/src/main-config.ts';
import { SPLIT_SERVICES, splitEnvironments } from '../cli/src/split-environment.ts';
import { SERVICE_ENTRIES, SERVICE_NODE_FLAGS } from '../cli/src/embedded/service-bundles.ts';

/**
 * docker-compose.yml, the Dockerfile and .env.example, checked without a Docker engine: the
 * compose file against the Compose Specification's schema, each service's environment against
 * the settings schema its main.ts loads, the images against the rules that matter.
 */
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = parseDockerfile(read('Dockerfile'));
const example = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));

interface ComposeService {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  healthcheck?: unknown;
  ports?: string[];
  user?: string;
  restart?: string;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** The settings each service's main.ts loads (its container's entry point). */
const SCHEMAS: Record<string, z.ZodObject> = {
  // `launchdb migrate-platform` reads what `launchdb up` reads
  'platform-migrate': launchdbConfigSchema,
  'platform-api': platformApiConfigSchema,
  'postgrest-manager': postgrestManagerConfigSchema,
  'auth-service': authConfigSchema,
  'storage-service': storageConfigSchema,
  worker: workerConfigSchema,
  backup: backupConfigSchema,
};

/** What an operator puts in .env for the variables compose requires (`${VAR:?…}`). */
const FILLED_IN: Record<string, string> = {
  POSTGRES_PASSWORD: 'postgres-password',
  PLATFORM_DB_PASSWORD: 'p'.repeat(48),
  LAUNCHDB_MASTER_KEY: 'ab'.repeat(32),
  PLATFORM_JWT_SECRET: 'j'.repeat(64),
  POSTGREST_MANAGER_INTERNAL_KEY: 'k'.repeat(64),
  LAUNCHDB_DOMAIN: 'launchdb.example.com',
  ACME_EMAIL: 'ops@example.com',
};

describe('docker-compose.yml', () => {
  it('is valid under the Compose Specification', () => {
    // ajv knows draft-07 by its http:// id; the schema names it by https://
    const { $schema: _draft, ...schema } = JSON.parse(read('schema/compose-spec.json')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // and it does refuse what Compose would
    expect(validate({ services: { caddy: { image: 'caddy:2.8.4', enviroment: { A: '1' } } } })).toBe(false);
    expect(validate({ services: { caddy: { image: 'caddy:2.8.4', depends_on: { x: { condition: 'service_sleepy' } } } } })).toBe(false);
  });

  it('reads only variables .env.example documents', () => {
    const used = new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
    expect([...used].filter((name) => !example.has(name))).toEqual([]);
  });

  it('gives each service what its settings schema requires, and nothing it does not read', () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const service = compose.services[name]!;
      const environment = { ...dockerfile.env(service.build!.target), ...substitute(service.environment ?? {}) };
      expect(() => loadConfig(schema, { env: environment }), name).not.toThrow();
      const read = new Set(Object.keys(schema.shape));
      expect(Object.keys(service.environment ?? {}).filter((key) => !read.has(key)), `${name} is given settings it does not read`).toEqual([]);
    }
  });

  it('publishes ports from Caddy only, and waits for what each service needs to be healthy', () => {
    expect(Object.entries(compose.services).filter(([, service]) => service.ports).map(([name]) => name)).toEqual(['caddy']);
    const text = composeText;
    expect(text).not.toMatch(/condition: service_started/);
    for (const [name, service] of Object.entries(compose.services)) {
      if (oneShot(name)) continue;
      const healthChecked = service.healthcheck !== undefined || (service.build && dockerfile.healthchecked(service.build.target));
      expect(healthChecked, `${name} has a health check`).toBeTruthy();
    }
  });

  it('builds each service from a Dockerfile target, and every target is used', () => {
    const built = Object.values(compose.services).flatMap((service) => (service.build ? [service.build.target] : []));
    for (const target of built) expect(dockerfile.stages.has(target), target).toBe(true);
    const serviceTargets = [...dockerfile.stages.keys()].filter((stage) => dockerfile.command(stage));
    expect(serviceTargets.sort()).toEqual([...built].sort());
  });

  it('pins every image it pulls to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build || !service.image) continue;
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+(\.\d+)+[\w.-]*$/);
    }
  });
});

/** Services that run once and exit: their success, not their health, is what others wait for. */
function oneShot(name: string): boolean {
  return compose.services[name]?.restart === 'no';
}

/** Each postgres:// URL a service is given, by service and variable. */
function databaseUrls(): Array<{ service: string; variable: string; url: URL }> {
  return Object.entries(compose.services).flatMap(([service, definition]) =>
    Object.entries(substitute(definition.environment ?? {}))
      .filter(([, value]) => value.startsWith('postgres://'))
      .map(([variable, value]) => ({ service, variable, url: new URL(value) })),
  );
}

/** What a service has in its environment, its image's ENV included. */
function environmentOf(name: string): Record<string, string> {
  const service = compose.services[name]!;
  return { ...(service.build ? dockerfile.env(service.build.target) : {}), ...substitute(service.environment ?? {}) };
}

/** The named volume a service mounts at `path`. */
function volumeAt(name: string, path: string): string | undefined {
  return compose.services[name]!.volumes?.map((entry) => entry.split(':')).find(([, target]) => target === path)?.[0];
}

describe('the platform-migrate container', () => {
  it('runs launchdb migrate-platform once, and everything that uses the database waits for it to succeed', () => {
    expect(oneShot('platform-migrate')).toBe(true);
    expect(dockerfile.commandText('platform-migrate')).toContain('migrate-platform');
    for (const name of ['pgbouncer', 'postgrest-manager', 'platform-api', 'auth-service', 'storage-service', 'worker', 'backup']) {
      expect(compose.services[name]!.depends_on?.['platform-migrate']?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('keeps a generated first-operator password in a volume (launchdb up does not print it when stdout is not a terminal)', () => {
    const folder = environmentOf('platform-migrate').LAUNCHDB_DATA_DIR!;
    expect(folder).toMatch(/^\//);
    const volume = volumeAt('platform-migrate', folder);
    expect(volume, `a named volume at ${folder}`).toBeDefined();
    expect(Object.keys(parse(composeText).volumes as Record<string, unknown>)).toContain(volume);
  });
});

describe('database roles', () => {
  it('connects the long-running services as the platform role, and as the superuser only where one is needed', () => {
    const superuser = databaseUrls().filter(({ url }) => url.username === 'postgres').map(({ service, variable }) => `${service} ${variable}`);
    // migrations and the role; provisioning (CREATE DATABASE/ROLE, pg_authid); pg_dump of every database
    expect(superuser.sort()).toEqual(['backup DATABASE_URL', 'platform-api POSTGRES_ADMIN_URL', 'platform-migrate DATABASE_URL']);
    const others = databaseUrls().filter(({ url }) => url.username !== 'postgres');
    expect(new Set(others.map(({ service }) => service))).toEqual(new Set(['platform-api', 'postgrest-manager', 'auth-service', 'storage-service', 'worker']));
    for (const { service, url } of others) {
      expect(url.username, service).toBe(PLATFORM_ROLE);
      // the password platform-migrate gives the role
      expect(decodeURIComponent(url.password), service).toBe(environmentOf('platform-migrate').PLATFORM_DB_PASSWORD);
    }
  });
});

describe('PgBouncer in compose, as launchdb up runs it', () => {
  const writers = Object.keys(compose.services).filter((name) => environmentOf(name).PGBOUNCER_CONFIG_DIR !== undefined);

  it('reads the files platform-migrate and platform-api write, at the path they write them, as their uid', () => {
    expect(writers.sort()).toEqual(['platform-api', 'platform-migrate']);
    const folders = new Set(writers.map((name) => environmentOf(name).PGBOUNCER_CONFIG_DIR!));
    expect(folders.size).toBe(1);
    const [folder] = [...folders] as [string];
    const volume = volumeAt('pgbouncer', folder);
    expect(volume, `pgbouncer mounts a volume at ${folder}`).toBeDefined();
    for (const name of writers) expect(volumeAt(name, folder), name).toBe(volume);
    expect(dockerfile.commandText('pgbouncer')).toContain(`${folder}/pgbouncer.ini`);
    // the files are 0600: PgBouncer's user has the uid of node, which the writers run as
    for (const name of writers) expect(dockerfile.user(compose.services[name]!.build!.target), name).toBe('node');
    const user = dockerfile.user('pgbouncer')!;
    expect(dockerfile.runText('pgbouncer')).toMatch(new RegExp(`useradd --uid 1000 [^&]*\\b${user}\\b`));
  });

  it('is where every service pools, on the port it listens on, for the database and user it serves', () => {
    const pooled = Object.keys(compose.services).filter((name) => environmentOf(name).POOLER_HOST !== undefined);
    expect(pooled.sort()).toEqual(['auth-service', 'platform-api', 'platform-migrate', 'postgrest-manager', 'storage-service', 'worker']);
    // it listens on the writers' POOLER_PORT (platformPoolSettings' listenPort)
    const port = environmentOf('platform-api').POOLER_PORT!;
    for (const name of pooled) expect([environmentOf(name).POOLER_HOST, environmentOf(name).POOLER_PORT], name).toEqual(['pgbouncer', port]);
    expect(dockerfile.exposed('pgbouncer')).toEqual([port]);
    expect(dockerfile.healthcheckText('pgbouncer')).toContain(`/${port}`);
    // what it serves before any project: the platform database, to the platform role, its admin
    const admin = new URL(environmentOf('platform-migrate').DATABASE_URL!);
    const platformDatabase = admin.pathname.slice(1);
    const base = platformPoolSettings({ listenAddress: '*', listenPort: Number(port), platformDatabase, postgres: { host: admin.hostname, port: Number(admin.port) }, platformRole: PLATFORM_ROLE });
    expect(base.adminUsers).toContain(new URL(environmentOf('platform-api').PLATFORM_DATABASE_URL!).username);
    for (const { service, url } of databaseUrls().filter(({ url }) => url.hostname === 'pgbouncer')) {
      expect([url.port, url.username, url.pathname.slice(1)], service).toEqual([port, PLATFORM_ROLE, base.databases[0]!.alias]);
    }
    // and forwards to PostgreSQL where platform-api's admin URL reaches it
    const provisioning = new URL(environmentOf('platform-api').POSTGRES_ADMIN_URL!);
    expect([provisioning.hostname, provisioning.port]).toEqual([base.databases[0]!.host, String(base.databases[0]!.port)]);
    expect(Object.keys(compose.services)).toContain(provisioning.hostname);
  });
});

describe('launchdb up --split, as compose runs it', () => {
  // compose's hosts become 127.0.0.1 and ports chosen at start; everything else is the same
  const places = { postgres: { host: '127.0.0.1', port: 15432 }, pgbouncer: { host: '127.0.0.1', port: 16432 } };
  const split = splitEnvironments(
    {
      config: { LOG_LEVEL: 'info', DATA_API_IDLE_SECONDS: 300, LAUNCHDB_ADMIN_EMAIL: undefined, LAUNCHDB_ADMIN_PASSWORD: undefined, STORAGE_FS_ROOT: undefined, STORAGE_UPLOADS_DIR: undefined },
      ...places,
      platformDatabase: 'launchdb',
      superuser: { user: 'postgres', password: 'postgres-password' },
      platformRole: { user: PLATFORM_ROLE, password: 'p'.repeat(48) },
      masterKey: 'ab'.repeat(32),
      jwtSecret: 'j'.repeat(64),
      internalKey: 'k'.repeat(64),
      publicUrl: 'http://127.0.0.1:8080',
      pgbouncerConfigDir: '/data/pgbouncer-config',
      platformSecretsDir: '/data',
      dataFolder: '/data',
      ports: { 'postgrest-manager': 1, 'platform-api': 2, 'auth-service': 3, 'storage-service': 4, worker: 5, backup: 6, dashboard: 7 },
      dataApiEntry: '/data/data-api/main.js',
      storageRoot: '/data/storage',
      uploadsDir: '/data/storage-uploads',
    },
    {},
  );
  const processes = ['platform-migrate', ...SPLIT_SERVICES] as const;

  /** Who connects where as whom, in compose's names: `launchdb_platform@pgbouncer/launchdb`, `postgres`, `pgbouncer-config`. */
  function wiring(environment: Record<string, string>, at: (host: string, port: string) => string, folder: (path: string) => string | undefined): Record<string, string> {
    const wired: Record<string, string> = {};
    for (const [name, value] of Object.entries(environment)) {
      if (value.startsWith('postgres://')) {
        const url = new URL(value);
        wired[name] = `${decodeURIComponent(url.username)}@${at(url.hostname, url.port)}${url.pathname}`;
      }
    }
    for (const prefix of ['POOLER', 'POSTGRES'] as const) {
      const host = environment[`${prefix}_HOST`];
      if (host !== undefined) wired[`${prefix}_HOST:PORT`] = at(host, environment[`${prefix}_PORT`] ?? '');
    }
    if (environment.PGBOUNCER_CONFIG_DIR) wired.PGBOUNCER_CONFIG_DIR = folder(environment.PGBOUNCER_CONFIG_DIR) ?? environment.PGBOUNCER_CONFIG_DIR;
    for (const secret of ['LAUNCHDB_MASTER_KEY', 'PLATFORM_DB_PASSWORD']) if (environment[secret]) wired[secret] = 'given';
    return wired;
  }

  it('connects each process to PostgreSQL or PgBouncer as compose connects its container, as the same role, and shares the same PgBouncer folder', () => {
    const inSplit = (host: string, port: string) => Object.entries(places).find(([, place]) => place.host === host && String(place.port) === port)?.[0] ?? `${host}:${port}`;
    const inCompose = (host: string, port: string) => (`${host}:${port}` === 'postgres:5432' || `${host}:${port}` === 'pgbouncer:6432' ? host : `${host}:${port}`);
    for (const name of processes) {
      const compose = wiring(environmentOf(name), inCompose, (path) => volumeAt(name, path));
      expect(wiring(split[name], inSplit, (path) => (path === '/data/pgbouncer-config' ? 'pgbouncer-config' : undefined)), name).toEqual(compose);
    }
  });

  it("gives each process only settings its container's settings schema reads", () => {
    for (const name of processes) {
      if (!(name in SCHEMAS)) continue;
      const read = new Set(Object.keys(SCHEMAS[name]!.shape));
      expect(Object.keys(split[name]).filter((key) => !read.has(key)), name).toEqual([]);
      expect(() => loadConfig(SCHEMAS[name]!, { env: split[name] }), name).not.toThrow();
    }
  });
});

describe('images', () => {
  it('run each Node service from the bundle the build stage makes, with the node flags launchdb up --split gives it', () => {
    expect(dockerfile.runText('build')).toContain('node --import tsx cli/src/embedded/service-bundles.ts dist/services');
    const flags = SERVICE_NODE_FLAGS.map((flag) => `"${flag}", `).join('');
    for (const name of Object.keys(SERVICE_ENTRIES).filter((name) => name !== 'platform-migrate')) {
      expect(dockerfile.commandText(name), name).toBe(`["node", ${flags}"dist/services/${name}.mjs"]`);
    }
  });

  it('pulls only PostgreSQL; PgBouncer and Caddy are built from the Debian packages the tests run', () => {
    expect(Object.entries(compose.services).filter(([, service]) => !service.build).map(([name]) => name)).toEqual(['postgres']);
    for (const [stage, pkg] of [['pgbouncer', 'pgbouncer'], ['caddy', 'caddy']] as const) {
      expect(dockerfile.stages.get(stage)!.from, stage).toMatch(/^debian:12\.\d+-slim$/);
      expect(dockerfile.runText(stage), stage).toMatch(new RegExp(`apt-get install -y --no-install-recommends ${pkg}\\b`));
    }
  });
});

/** The `launchdb_*` metric names the services' sources declare to prom-client (`name: 'launchdb_…'`). */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const folder of ['common', 'platform-api', 'postgrest-manager', 'auth-service', 'storage-service', 'worker', 'backup', 'pgbouncer']) {
    const root = new URL(`../${folder}/src/`, import.meta.url);
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      for (const match of readFileSync(new URL(file, root), 'utf8').matchAll(/\bname: '(launchdb_[a-z_]+)'/g)) names.add(match[1]!);
    }
  }
  return names;
}

describe('monitoring/', () => {
  it('scrapes services of the compose file, and its Grafana dashboard asks for metrics the services export', () => {
    const scrape = parse(read('monitoring/prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    for (const target of scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets))) {
      expect(Object.keys(compose.services), target).toContain(target.split(':')[0]);
    }
    const dashboard = JSON.parse(read('monitoring/grafana-dashboard.json')) as { panels: { targets: { expr: string }[] }[] };
    const names = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(launchdb_[a-z_]+?)(?:_bucket)?\b/g)].map((match) => match[1]!))));
    const exported = exportedMetricNames();
    for (const name of names) expect(exported, `${name} is on the dashboard`).toContain(name);
    // every part's own series has a panel
    for (const part of ['launchdb_http_', 'launchdb_data_api', 'launchdb_pgbouncer_', 'launchdb_worker_', 'launchdb_backup']) {
      expect([...names].some((name) => name.startsWith(part)), part).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  it('starts from base images pinned to a version, never latest', () => {
    expect(dockerfile.bases.length).toBeGreaterThan(0);
    for (const base of dockerfile.bases) {
      // a point release at least (node:20.19.5-…, debian:12.11-slim), never a moving major tag
      expect(base, base).toMatch(/^[\w./-]+:\d+(\.\d+)+[\w.-]*$/);
      expect(base).not.toMatch(/:latest$/);
    }
  });

  it('runs every service as a user other than root, with a health check (but the one-shot migration)', () => {
    for (const stage of dockerfile.stages.keys()) {
      if (!dockerfile.command(stage)) continue;
      expect(dockerfile.user(stage), stage).toBeDefined();
      expect(dockerfile.user(stage), stage).not.toMatch(/^(root|0)$/);
      expect(dockerfile.healthchecked(stage), stage).toBe(!oneShot(stage));
    }
  });

  it('keeps dev dependencies and secrets out of the images', () => {
    const text = read('Dockerfile');
    // the only full install is the build stage's, whose node_modules never reach a service image
    expect([...text.matchAll(/npm ci(?![^\n]*--omit=dev)/g)]).toHaveLength(1);
    expect(text).toMatch(/FROM \$\{NODE_IMAGE\} AS build\n[^]*?npm ci --no-audit/);
    expect(text).not.toMatch(/COPY --from=build[^\n]*node_modules/);
    expect(text).not.toMatch(/^(ARG|ENV)\s+[^\n]*(PASSWORD|SECRET|MASTER_KEY|INTERNAL_KEY|PASSPHRASE)/m);
    const ignored = read('.dockerignore');
    for (const entry of ['.env', '.git', '**/node_modules', '.launchdb']) expect(ignored.split('\n')).toContain(entry);
  });
});

/** `${VAR:-default}` → default, `${VAR:?message}` and `${VAR}` → what an operator fills in. */
function substitute(environment: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    result[key] = String(value).replace(/\$\{([A-Z][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_whole, name: string, operator?: string, rest?: string) => {
      if (operator === ':-') return rest ?? '';
      const filled = FILLED_IN[name];
      if (filled === undefined) throw new Error(`no value to fill in for ${name}`);
      return filled;
    });
  }
  return result;
}

interface Stage {
  from: string;
  env: Record<string, string>;
  user: string | undefined;
  healthcheck: boolean;
  healthcheckText: string;
  command: boolean;
  commandText: string;
  runs: string[];
  exposed: string[];
}

function parseDockerfile(text: string) {
  const args = new Map<string, string>();
  const stages = new Map<string, Stage>();
  const bases: string[] = [];
  let current: Stage | undefined;
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const argument = rest.join(' ');
    switch (instruction!.toUpperCase()) {
      case 'ARG': {
        const [name, value] = argument.split('=');
        if (!current && value !== undefined) args.set(name!, value);
        break;
      }
      case 'FROM': {
        const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argument)!;
        const image = match[1]!.replace(/\$\{(\w+)\}/g, (_whole, name: string) => args.get(name) ?? '');
        if (!stages.has(image)) bases.push(image);
        current = { from: image, env: {}, user: undefined, healthcheck: false, healthcheckText: '', command: false, commandText: '', runs: [], exposed: [] };
        stages.set(match[2] ?? image, current);
        break;
      }
      case 'ENV':
        for (const pair of argument.split(/\s+/)) {
          const [name, value] = pair.split('=');
          current!.env[name!] = value ?? '';
        }
        break;
      case 'USER':
        current!.user = argument;
        break;
      case 'HEALTHCHECK':
        current!.healthcheck = argument !== 'NONE';
        current!.healthcheckText = argument;
        break;
      case 'CMD':
        current!.command = true;
        current!.commandText = argument;
        break;
      case 'RUN':
        current!.runs.push(argument);
        break;
      case 'EXPOSE':
        current!.exposed.push(...argument.split(/\s+/));
        break;
    }
  }
  /** A property of the stage or the stage it is built from. */
  const inherited = <T>(name: string, pick: (stage: Stage) => T | undefined): T | undefined => {
    for (let stage = stages.get(name); stage; stage = stages.get(stage.from)) {
      const value = pick(stage);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  return {
    stages,
    bases: [...new Set(bases)],
    user: (name: string) => inherited(name, (stage) => stage.user),
    healthchecked: (name: string) => inherited(name, (stage) => (stage.healthcheckText ? stage.healthcheck : undefined)) ?? false,
    healthcheckText: (name: string) => inherited(name, (stage) => stage.healthcheckText || undefined) ?? '',
    command: (name: string) => stages.get(name)?.command ?? false,
    commandText: (name: string) => stages.get(name)?.commandText ?? '',
    runText: (name: string) => stages.get(name)?.runs.join('\n') ?? '',
    exposed: (name: string) => stages.get(name)?.exposed ?? [],
    env: (name: string) => {
      const chain: Stage[] = [];
      for (let stage = stages.get(name); stage; stage = stages.get(stage.from)) chain.unshift(stage);
      return Object.assign({}, ...chain.map((stage) => stage.env)) as Record<string, string>;
    },
  };
}
