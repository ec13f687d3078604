import { up } from './commands/up.ts';

const USAGE = `Usage: launchdb <command>

Commands:
  up [--split]
          start the platform in the foreground (PostgreSQL, PgBouncer when installed, platform-api);
          Ctrl-C stops it. Settings come from the environment and ./.env (see .env.example).
          --split: each service its own process, as docker-compose.yml runs them, behind Caddy
  migrate-platform
          what \`up\` does first, alone, then exits: the platform database's migrations and role,
          the first operator, PgBouncer's files (PGBOUNCER_CONFIG_DIR); docker compose runs it
          before the services (DATABASE_URL and LAUNCHDB_MASTER_KEY required)
  data-api [--config <file>]
          run one PostgREST-compatible data API in the foreground, configured like PostgREST:
          PGRST_* variables and/or a PostgREST config file (what postgrest-manager spawns)
  project <command>
          projects: create, list, show, provision, rotate-keys, delete, migrate, migrations, psql
          (\`launchdb project help\` lists them)
  backup <command>
          encrypted backups: list, run, verify, restore, restore-platform (\`launchdb backup help\`)
  worker <command>
          the worker: due-sweep <id> (send a project's due-task reminders now), health
  help    show this help
`;

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'up':
    await up(args);
    break;
  case 'migrate-platform': {
    const { migratePlatform } = await import('./commands/migrate-platform.ts');
    await migratePlatform(args);
    break;
  }
  case 'data-api': {
    const { runDataApiCommand } = await import('@launchdb/data-api');
    await runDataApiCommand(args);
    break;
  }
  case 'project': {
    const { project } = await import('./commands/project.ts');
    await project(args);
    break;
  }
  case 'backup': {
    const { backup } = await import('./commands/backup.ts');
    await backup(args);
    break;
  }
  case 'worker': {
    const { worker } = await import('./commands/worker.ts');
    await worker(args);
    break;
  }
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`launchdb: unknown command "${command}"\n\n${USAGE}`);
    process.exit(1);
}
