import { parseArgs } from 'node:util';
import { ConfigError, LaunchDbError, loadConfig, PROJECT_ID_PATTERN, StartupError } from '@launchdb/common';
import type { DueSweepReport } from '@launchdb/worker';
import { launchdbConfigSchema } from '../config.ts';
import { operatorClient } from './platform-command.ts';

export const WORKER_USAGE = `Usage: launchdb worker <command>

Commands (through the platform API; credentials as for \`launchdb project\`):
  due-sweep <id>     send the project's due-task reminders now, by the scheduled sweep's rules
                     (one digest per member per day, at or after their hour); prints what was
                     sent and skipped
  health             queue depth per state, jobs done and failed, LISTEN sessions held

Add --json to print the API's answer as JSON.
`;

/** `launchdb worker …`: exits 0 on success, 1 with one line on stderr otherwise. */
export async function worker(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const [command, target] = positionals;
  if (command === undefined || command === 'help') return void process.stdout.write(WORKER_USAGE);
  try {
    const config = loadConfig(launchdbConfigSchema, { envFile: '.env' });
    const client = operatorClient(config);
    if (command === 'due-sweep') {
      if (!target || !PROJECT_ID_PATTERN.test(target)) fail('due-sweep needs a project id');
      const report = await client.request<DueSweepReport>('POST', `/api/projects/${target}/worker/due-sweep`);
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
      return;
    }
    if (command === 'health') {
      const health = await client.request<{ worker?: unknown }>('GET', '/api/health');
      process.stdout.write(`${JSON.stringify(health.worker ?? null, null, 2)}\n`);
      return;
    }
    fail(`unknown command "${command}"\n\n${WORKER_USAGE}`);
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    if (error instanceof LaunchDbError || error instanceof StartupError) fail(error.message);
    fail(`unexpected error: ${(error as Error).message}`);
  }
}

function describe(report: DueSweepReport): string {
  const lines = [
    ...report.sent.map((line) => `sent     ${line.user_id}  ${line.reminders} task(s)`),
    ...report.skipped.map((line) => `skipped  ${line.user_id}  ${line.reminders} task(s): ${line.reason}`),
    ...report.failed.map((line) => `failed   ${line.user_id}  ${line.reminders} task(s): ${line.error}`),
  ];
  return lines.length === 0 ? `nothing due to remind in ${report.project}\n` : `${lines.join('\n')}\n`;
}

function fail(message: string): never {
  process.stderr.write(`launchdb worker: ${message}\n`);
  process.exit(1);
}
