import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LaunchDbError, PROJECT_ID_PATTERN, readMigrations } from '@launchdb/common';
import { DEFAULT_ADMIN_EMAIL, type OwnerConnection, type ProjectBody } from '@launchdb/platform-api';
import type { LaunchdbConfig } from '../config.ts';
import type { PlatformClient } from '../platform-client.ts';
import { operatorClient, runPlatformCommand } from './platform-command.ts';

export const PROJECT_USAGE = `Usage: launchdb project <command>

Commands (through the platform API; credentials: LAUNCHDB_TOKEN, or LAUNCHDB_ADMIN_PASSWORD with
LAUNCHDB_ADMIN_EMAIL, default ${DEFAULT_ADMIN_EMAIL}; the platform: LAUNCHDB_URL, else
http://127.0.0.1:$LAUNCHDB_PORT):
  create <name> [--id <id>] [--template <name>]   provision a project; prints its URLs and keys
         [--demo]                                 haven only: add the demo homeowner demo@haven.local
                                                  (a house, a dozen assets, a year of logs); its
                                                  password is printed this once
  list                                            every project and its status
  show <id>                                       status, URLs and keys of one project
  provision <id>                                  resume a failed or interrupted provisioning
  rotate-keys <id>                                new JWT secret, anon and service keys
  delete <id> --confirm <id>                      stop its API, drop its database, roles and pool entry
  migrate <id> <folder>                           apply the folder's numbered .sql files not yet applied
  migrations <id>                                 the migrations applied to a project
  auth-settings <id> [--set <json>]               the project's auth settings; --set merges a JSON
                                                  patch (null: back to the default; "smtp_password")
  psql <id> [-- <psql arguments>]                 psql on the project's database as its owner
                                                  (run where the platform's PostgreSQL is reachable)
  pooler-add <id>                                 (re)write its PgBouncer entry and RELOAD
  api-start <id>                                  start its data API (or find it running)
  api-stop <id>                                   stop its data API (the next request starts it)
  api-status [<id>]                               state, address, pid, restarts of the data APIs

Add --json to print the API's answer as JSON.
`;

/** What the API answers for a project (`GET /api/projects` leaves out the keys). */
type ProjectView = ProjectBody;

/** `launchdb project …`: exits 0 on success, 1 with one line on stderr otherwise. */
export async function project(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  await runPlatformCommand((config) => run(command, rest, config));
}

async function run(command: string | undefined, args: string[], config: LaunchdbConfig): Promise<void> {
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(PROJECT_USAGE);
    return;
  }
  const client = operatorClient(config);
  if (command === 'psql') return psql(args, client);

  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, id: { type: 'string' }, template: { type: 'string' }, demo: { type: 'boolean' }, confirm: { type: 'string' }, set: { type: 'string' } },
  });
  const print = (value: unknown, human: () => string): void => {
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  };
  const id = (): string => projectId(positionals[0]);

  switch (command) {
    case 'create': {
      const name = positionals[0];
      if (!name) throw usage('create needs a name');
      const body = {
        name,
        ...(values.id ? { id: projectId(values.id) } : {}),
        ...(values.template ? { template: values.template } : {}),
        ...(values.demo ? { demo: true } : {}),
      };
      const created = await client.request<ProjectView>('POST', '/api/projects', body);
      return print(created, () => describe(created));
    }
    case 'list': {
      const { projects } = await client.request<{ projects: ProjectView[] }>('GET', '/api/projects');
      return print({ projects }, () =>
        projects.length === 0 ? 'no projects\n' : projects.map((p) => `${p.id.padEnd(32)} ${p.status.padEnd(13)} ${p.name}\n`).join(''),
      );
    }
    case 'show': {
      const shown = await client.request<ProjectView>('GET', `/api/projects/${id()}`);
      return print(shown, () => describe(shown));
    }
    case 'provision': {
      const resumed = await client.request<ProjectView>('POST', `/api/projects/${id()}/provision`);
      return print(resumed, () => describe(resumed));
    }
    case 'rotate-keys': {
      const rotated = await client.request<ProjectView>('POST', `/api/projects/${id()}/keys/rotate`);
      return print(rotated, () => describe(rotated));
    }
    case 'delete': {
      const target = id();
      // The API refuses without it too; asking here spares a round trip and says how.
      if (values.confirm !== target) throw usage(`delete drops the project's database: repeat its id, --confirm ${target}`);
      await client.request('DELETE', `/api/projects/${target}?confirm=${encodeURIComponent(target)}`);
      return print({ deleted: target }, () => `deleted ${target}\n`);
    }
    case 'auth-settings': {
      const path = `/api/projects/${id()}/auth-settings`;
      let patch: unknown;
      if (values.set !== undefined) {
        try {
          patch = JSON.parse(values.set);
        } catch (error) {
          throw usage(`--set needs a JSON object: ${(error as Error).message}`);
        }
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw usage('--set needs a JSON object');
      }
      const stored = await client.request<{ settings: Record<string, unknown>; smtp_password_set: boolean }>(patch === undefined ? 'GET' : 'PATCH', path, patch);
      return print(stored, () => `${JSON.stringify(stored.settings, null, 2)}\nSMTP password: ${stored.smtp_password_set ? 'set' : 'not set'}\n`);
    }
    case 'migrations': {
      const { migrations } = await client.request<{ migrations: Array<{ name: string; applied_at: string }> }>('GET', `/api/projects/${id()}/migrations`);
      return print({ migrations }, () => (migrations.length === 0 ? 'no migrations applied\n' : migrations.map((m) => `${m.name.padEnd(48)} ${m.applied_at}\n`).join('')));
    }
    case 'migrate': {
      const target = id();
      const folder = positionals[1];
      if (!folder) throw usage('migrate needs a folder of numbered .sql files');
      const files = await readMigrations(resolve(folder)).catch((error: Error) => {
        throw usage(`cannot read migrations from ${folder}: ${error.message}`);
      });
      const { migrations } = await client.request<{ migrations: Array<{ name: string }> }>('GET', `/api/projects/${target}/migrations`);
      const applied = new Set(migrations.map((m) => m.name));
      const done: string[] = [];
      for (const file of files) {
        const name = `${file.version}_${file.name}`;
        if (applied.has(name)) continue;
        try {
          await client.request('POST', `/api/projects/${target}/migrations`, { name, sql: file.sql });
        } catch (error) {
          if (error instanceof LaunchDbError) throw new LaunchDbError(error.code, error.status, `${name}: ${error.message} (applied before it: ${done.join(', ') || 'none'})`);
          throw error;
        }
        done.push(name);
      }
      return print({ applied: done }, () => (done.length === 0 ? 'nothing to apply\n' : done.map((name) => `applied ${name}\n`).join('')));
    }
    case 'pooler-add': {
      const target = id();
      const answer = await client.request<unknown>('POST', `/api/projects/${target}/pooler`);
      return print(answer, () => `PgBouncer entry of ${target} written and reloaded\n`);
    }
    case 'api-start': {
      const status = await client.request<DataApiView>('POST', `/api/projects/${id()}/data-api`);
      return print(status, () => describeDataApis([status]));
    }
    case 'api-stop': {
      const target = id();
      await client.request('DELETE', `/api/projects/${target}/data-api`);
      return print({ stopped: target }, () => `data API of ${target} stopped\n`);
    }
    case 'api-status': {
      if (positionals[0] !== undefined) {
        const status = await client.request<DataApiView>('GET', `/api/projects/${id()}/data-api`);
        return print(status, () => describeDataApis([status]));
      }
      const { dataApis } = await client.request<{ dataApis: DataApiView[] }>('GET', '/api/data-apis');
      return print({ dataApis }, () => describeDataApis(dataApis));
    }
    default:
      throw usage(`unknown command "${command}"`);
  }
}

/**
 * psql as the project's owner, straight to PostgreSQL (a session of its own, not a pooled one),
 * at the address the platform itself uses: the platform is asked, so its ports need not be known here.
 */
async function psql(args: string[], client: PlatformClient): Promise<void> {
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const extra = separator === -1 ? [] : args.slice(separator + 1);
  const target = projectId(own[0]);
  const owner = await client.request<OwnerConnection>('GET', `/api/projects/${target}/owner-connection`);
  const child = spawn(process.env.LAUNCHDB_PSQL ?? 'psql', ['--host', owner.host, '--port', String(owner.port), '--username', owner.user, '--dbname', owner.database, ...extra], {
    stdio: 'inherit',
    // never on the command line, where `ps` would show it
    env: { ...process.env, PGPASSWORD: owner.password, PGAPPNAME: 'launchdb project psql' },
  });
  const code = await new Promise<number>((resolveExit) => {
    child.once('error', (error) => {
      process.stderr.write(`launchdb: cannot run psql (${error.message}); install postgresql-client or set LAUNCHDB_PSQL\n`);
      resolveExit(1);
    });
    child.once('exit', (exitCode, signal) => resolveExit(exitCode ?? (signal ? 1 : 0)));
  });
  if (code !== 0) process.exit(code);
}

interface DataApiView {
  projectId: string;
  state: string;
  url: string | null;
  pid: number | null;
  restarts: number;
  lastRequestAt: string | null;
}

function describeDataApis(dataApis: DataApiView[]): string {
  if (dataApis.length === 0) return 'no data APIs\n';
  return dataApis
    .map((api) => `${api.projectId.padEnd(32)} ${api.state.padEnd(11)} ${(api.url ?? '-').padEnd(24)} pid ${api.pid ?? '-'}  restarts ${api.restarts}  last request ${api.lastRequestAt ?? 'never'}\n`)
    .join('');
}

function describe(project: ProjectView): string {
  const lines = [`${project.id}  ${project.name}`, `  status     ${project.status}`];
  if (project.failed_step) lines.push(`  failed at  ${project.failed_step}: ${project.error ?? ''}`);
  if (project.template) lines.push(`  template   ${project.template}`);
  if (project.database) lines.push(`  database   ${project.database}`);
  if (project.urls) {
    lines.push(`  REST       ${project.urls.rest}`, `  auth       ${project.urls.auth}`, `  storage    ${project.urls.storage}`, `  supabase   ${project.urls.supabase}`);
  }
  if (project.keys?.anon) lines.push(`  anon key          ${project.keys.anon}`);
  if (project.keys?.service_role) lines.push(`  service_role key  ${project.keys.service_role}`);
  if (project.demo) lines.push(`  demo user  ${project.demo.email}`, `  password   ${project.demo.password}   (shown this once: note it now)`);
  return `${lines.join('\n')}\n`;
}

function projectId(value: string | undefined): string {
  if (!value) throw usage('a project id is required');
  if (!PROJECT_ID_PATTERN.test(value)) throw usage(`"${value}" is not a project id (a lowercase letter, then 2-30 lowercase letters or digits)`);
  return value;
}

function usage(message: string): LaunchDbError {
  return new LaunchDbError('usage', 400, `${message}\n\n${PROJECT_USAGE}`);
}
