import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@launchdb/common';
import { platformApiConfigSchema } from '@launchdb/platform-api';
import { postgrestManagerConfigSchema } from '../postgrest-manager/src/config.ts';
import { mainConfigSchema as authConfigSchema } from '../auth-service/src/main-config.ts';
import { mainConfigSchema as storageConfigSchema } from '../storage-service/src/main-config.ts';
import { mainConfigSchema as workerConfigSchema } from '../worker/src/main-config.ts';
import { mainConfigSchema as backupConfigSchema } from '../backup/src/main-config.ts';

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
}

/** The settings each service's main.ts loads (its container's entry point). */
const SCHEMAS: Record<string, z.ZodObject> = {
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
      const healthChecked = service.healthcheck !== undefined || (service.build && dockerfile.healthchecked(service.build.target));
      if (name !== 'caddy') expect(healthChecked, `${name} has a health check`).toBeTruthy();
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

describe('monitoring/', () => {
  it('scrapes services of the compose file, and its Grafana dashboard asks for metrics the services export', () => {
    const scrape = parse(read('monitoring/prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    for (const target of scrape.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets))) {
      expect(Object.keys(compose.services), target).toContain(target.split(':')[0]);
    }
    const dashboard = JSON.parse(read('monitoring/grafana-dashboard.json')) as { panels: { targets: { expr: string }[] }[] };
    const names = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b(launchdb_[a-z_]+?)(?:_bucket)?\b/g)].map((match) => match[1])));
    expect(new Set(names)).toEqual(new Set(['launchdb_http_requests_total', 'launchdb_http_request_duration_seconds']));
  });
});

describe('Dockerfile', () => {
  it('starts from base images pinned to a version, never latest', () => {
    expect(dockerfile.bases.length).toBeGreaterThan(0);
    for (const base of dockerfile.bases) {
      expect(base, base).toMatch(/^[\w./-]+:\d+(\.\d+){2}[\w.-]*$/);
      expect(base).not.toMatch(/:latest$/);
    }
  });

  it('runs every service as a user other than root, with a health check', () => {
    for (const stage of dockerfile.stages.keys()) {
      if (!dockerfile.command(stage)) continue;
      expect(dockerfile.user(stage), stage).toBeDefined();
      expect(dockerfile.user(stage), stage).not.toMatch(/^(root|0)$/);
      expect(dockerfile.healthchecked(stage), stage).toBe(true);
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
  command: boolean;
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
        current = { from: image, env: {}, user: undefined, healthcheck: false, command: false };
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
        current!.healthcheck = true;
        break;
      case 'CMD':
        current!.command = true;
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
    healthchecked: (name: string) => inherited(name, (stage) => (stage.healthcheck ? true : undefined)) ?? false,
    command: (name: string) => stages.get(name)?.command ?? false,
    env: (name: string) => {
      const chain: Stage[] = [];
      for (let stage = stages.get(name); stage; stage = stages.get(stage.from)) chain.unshift(stage);
      return Object.assign({}, ...chain.map((stage) => stage.env)) as Record<string, string>;
    },
  };
}
