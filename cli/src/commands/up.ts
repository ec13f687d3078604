import { StartupError } from '@launchdb/common';
import { loadLaunchdbConfig } from '../config.ts';
import type { StartupReport } from '../embedded-platform.ts';
import type { SplitStartupReport } from '../split-platform.ts';
import { firstOperatorLines, passwordFileUnlessTerminal } from '../platform-setup.ts';

/** `launchdb up`: runs the platform in the foreground until SIGINT or SIGTERM. */
export async function up(args: string[] = []): Promise<void> {
  const config = loadLaunchdbConfig();

  const unknown = args.filter((arg) => arg !== '--split');
  if (unknown.length > 0) fail(`unknown option ${unknown[0]} (launchdb up [--split])`);
  // only the one asked for is loaded: --split supervises, and the embedded platform's code (every service) would cost it ~50 MB
  const platform = args.includes('--split')
    ? new (await import('../split-platform.ts')).SplitPlatform(config)
    : new (await import('../embedded-platform.ts')).EmbeddedPlatform(config);
  process.on('exit', () => platform.killChildrenNow());
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) {
      // a second Ctrl-C: stop waiting for a clean shutdown
      platform.killChildrenNow();
      process.exit(130);
    }
    stopping = true;
    process.stdout.write('launchdb: stopping…\n');
    void platform.stop().then(
      () => {
        process.stdout.write('launchdb: stopped\n');
        process.exit(0);
      },
      (error: Error) => {
        process.stderr.write(`launchdb: stopped with an error: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
  // Whoever started us (npm, a shell) may die without passing its signal on; we must not outlive it.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) shutdown();
  }, 1_000).unref();

  let report: StartupReport | SplitStartupReport;
  try {
    report = await platform.start();
  } catch (error) {
    if (error instanceof StartupError) fail(error.message);
    fail(`could not start: ${(error as Error).message}`);
  }
  if (stopping) return;
  if ('services' in report) {
    process.stdout.write(splitBanner(report, await passwordFileUnlessTerminal(report.dataFolder, report.firstOperator)));
    return;
  }
  process.stdout.write(banner(report, await passwordFileUnlessTerminal(report.dataFolder, report.firstOperator)));
  for (const notice of report.backupNotices) process.stdout.write(`launchdb: ${notice}\n`);
  if ('backups' in platform) await platform.backups?.start().catch((error: Error) => process.stderr.write(`launchdb: backups are not scheduled: ${error.message}\n`));
}

function banner(report: StartupReport, passwordFile: string | undefined): string {
  const lines = [
    '',
    'LaunchDB is up',
    `  URL          ${report.url}   (health: ${report.url}/api/health)`,
    `  data folder  ${report.dataFolder}`,
    `  PostgreSQL   ${report.postgres}`,
    `  PgBouncer    ${report.pgbouncer}`,
    `  data APIs    ${report.dataApis}`,
    `  auth         ${report.auth}`,
    `  storage      ${report.storage}`,
    `  backups      ${report.backups}`,
    `  metrics      ${report.metrics}`,
  ];
  lines.push(...firstOperatorLines(report.firstOperator, passwordFile));
  lines.push('  Ctrl-C stops everything.', '', '');
  return lines.join('\n');
}

function splitBanner(report: SplitStartupReport, passwordFile: string | undefined): string {
  const lines = ['', 'LaunchDB is up (split: one process per service, Caddy in front)', `  URL          ${report.url}   (health: ${report.url}/api/health)`, `  data folder  ${report.dataFolder}`];
  for (const [name, { pid, address }] of Object.entries(report.services)) lines.push(`  ${name.padEnd(18)} pid ${pid ?? '-'}${address ? `  ${address}` : ''}`);
  lines.push(...firstOperatorLines(report.firstOperator, passwordFile));
  lines.push('  Ctrl-C stops everything.', '', '');
  return lines.join('\n');
}

function fail(message: string): never {
  process.stderr.write(`launchdb: ${message}\n`);
  process.exit(1);
}
