import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { LaunchDbError } from '@launchdb/common';
import type { BackupJob, BackupSummary, PlatformRestoreResult, RestoreResult, RunResult, VerifyResult } from '@launchdb/backup';
import type { LaunchdbConfig } from '../config.ts';
import type { PlatformClient } from '../platform-client.ts';
import { operatorClient, runPlatformCommand } from './platform-command.ts';

export const BACKUP_USAGE = `Usage: launchdb backup <command>

Commands (run by the platform, through its API; credentials as for \`launchdb project\`):
  list [--project <id>]                           complete backups, newest first
  run [--project <id> | --all | --platform]       back up one project, everything, or the platform database
  verify <backup>                                 check the manifest's signature, decrypt, check every
                                                  SHA-256, restore into a scratch database, compare
                                                  row counts with the manifest
  restore <backup> --project <id> [--confirm <id>]
                                                  replace the project's database and files (asks for the
                                                  id again without --confirm; the current state is backed
                                                  up first)
  restore <backup> --as-new <id>                  restore into a new project with new keys
  restore-platform <folder | s3://bucket/prefix>  on a fresh platform (same LAUNCHDB_MASTER_KEY): bring
                                                  back operators, every project and their keys from the
                                                  newest backups there

--allow-unsigned (verify, restore, restore-platform) takes a backup whose manifest this platform
cannot check: unsigned (made without LAUNCHDB_MASTER_KEY) or signed under another master key.
Add --json to print the API's answer as JSON. Backups can also be read without LaunchDB:
  gpg -d <backup>/database.dump.pgp | pg_restore -d <database>    gpg -d <backup>/files.tar.pgp | tar -x
`;

const BACKUP_REQUEST_TIMEOUT_MS = 60_000;
const POLL_MS = 500;
/** Without a terminal, a progress line this often. */
const PLAIN_PROGRESS_MS = 10_000;

/** `launchdb backup …`: exits 0 on success, 1 with one line on stderr otherwise. */
export async function backup(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  await runPlatformCommand((config) => run(command, rest, config));
}

async function run(command: string | undefined, args: string[], config: LaunchdbConfig): Promise<void> {
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(BACKUP_USAGE);
    return;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      project: { type: 'string' },
      all: { type: 'boolean' },
      platform: { type: 'boolean' },
      confirm: { type: 'string' },
      'as-new': { type: 'string' },
      'allow-unsigned': { type: 'boolean' },
    },
  });
  const client = operatorClient(config, BACKUP_REQUEST_TIMEOUT_MS);
  const trust = values['allow-unsigned'] ? { allow_unsigned: true } : undefined;
  const print = (value: unknown, human: () => string): void => {
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  };
  const say = (line: string): void => {
    if (!values.json) process.stderr.write(`${line}\n`);
  };

  switch (command) {
    case 'list': {
      const query = values.project ? `?project=${encodeURIComponent(values.project)}` : '';
      const { backups } = await client.request<{ backups: BackupSummary[] }>('GET', `/api/backups${query}`);
      print(backups, () => (backups.length === 0 ? 'no complete backups\n' : `${backups.map(describeBackup).join('\n')}\n`));
      return;
    }
    case 'run': {
      const chosen = [values.project !== undefined, values.all === true, values.platform === true].filter(Boolean).length;
      if (chosen > 1) throw usage('choose one of --project <id>, --all, --platform');
      const body = values.project ? { project: values.project } : values.platform ? { platform: true } : { all: true };
      say(values.project ? `backing up project ${values.project}…` : values.platform ? 'backing up the platform database…' : 'backing up the platform and every project…');
      const result = await follow<RunResult>(client, 'POST', '/api/backups', body, values.json);
      print(result, () =>
        [
          ...result.backups.map((made) => `made ${describeBackup(made)}`),
          ...result.failed.map((failure) => `FAILED ${failure.subject}: ${failure.error}`),
          ...(result.skipped ?? []).map((skip) => `skipped ${skip.subject}: ${skip.reason}`),
          ...(result.deleted.length ? [`deleted by retention: ${result.deleted.join(', ')}`] : []),
          '',
        ].join('\n'),
      );
      if (result.failed.length > 0) process.exitCode = 1;
      return;
    }
    case 'verify': {
      const id = required(positionals[0], 'verify <backup>');
      say(`verifying ${id}…`);
      const result = await follow<VerifyResult>(client, 'POST', `/api/backups/${encodeURIComponent(id)}/verify`, trust, values.json);
      print(result, () => `${id}: verified — every SHA-256 matches, ${result.tables} tables and ${result.rows} rows restored as the manifest says${result.files === null ? '' : `, ${result.files} files`} (${result.seconds} s)\n`);
      return;
    }
    case 'restore': {
      const id = required(positionals[0], 'restore <backup> --project <id> | --as-new <id>');
      const asNew = values['as-new'];
      if ((values.project === undefined) === (asNew === undefined)) throw usage('restore needs --project <id> (to replace it) or --as-new <id>');
      let confirm = values.confirm;
      if (values.project !== undefined && confirm === undefined) confirm = await askConfirmation(values.project);
      say(asNew ? `restoring ${id} into a new project ${asNew}…` : `restoring ${id} into project ${values.project} (its current state is backed up first)…`);
      const result = await follow<RestoreResult>(
        client,
        'POST',
        `/api/backups/${encodeURIComponent(id)}/restore`,
        { ...(asNew ? { as_new: asNew } : { project: values.project, confirm }), ...trust },
        values.json,
      );
      print(result, () =>
        [
          `project ${result.project} restored from ${result.backup}: ${result.tables} tables, ${result.rows} rows${result.files === null ? '' : `, ${result.files} files`} (${result.seconds} s)`,
          ...(result.previousState ? [`its state before is backup ${result.previousState}`] : []),
          ...(asNew ? [`keys: launchdb project show ${result.project}`] : []),
          '',
        ].join('\n'),
      );
      return;
    }
    case 'restore-platform': {
      const source = required(positionals[0], 'restore-platform <backup folder | s3://bucket/prefix>');
      // a folder is the platform's to read: made absolute here; an S3 URL is passed as it is
      const folder = /^s3:\/\//i.test(source) ? source : resolve(source);
      say(`restoring the platform from ${folder}…`);
      const result = await follow<PlatformRestoreResult>(client, 'POST', '/api/backups/restore-platform', { source: folder, ...trust }, values.json);
      print(result, () =>
        [
          `platform restored from ${result.backup} (${result.seconds} s)`,
          ...result.projects.map((project) =>
            project.error ? `FAILED ${project.id}: ${project.error}` : project.restored ? `  ${project.id}: from ${project.backup}` : `  ${project.id}: no backup of it in the folder: provisioned empty`,
          ),
          '',
        ].join('\n'),
      );
      if (result.projects.some((project) => project.error)) process.exitCode = 1;
      return;
    }
    default:
      throw usage(`unknown backup command "${command}"`);
  }
}

/**
 * Starts the operation as a job (`Prefer: respond-async`) and follows it to its end: a long
 * restore outlives any single HTTP request. On a terminal a progress bar per piece (bytes, rate,
 * ETA when the size is known); otherwise a plain line every few seconds; with --json, nothing.
 */
async function follow<T>(client: PlatformClient, method: string, path: string, body: unknown, json: boolean | undefined): Promise<T> {
  let job = await client.request<BackupJob>(method, path, body, { prefer: 'respond-async' });
  const progress = json ? undefined : process.stderr.isTTY ? new TerminalProgress() : new PlainProgress();
  try {
    while (job.status === 'running') {
      await sleep(POLL_MS);
      job = await client.request<BackupJob>('GET', `/api/backups/jobs/${job.id}`);
      if (job.progress) progress?.update(job.progress);
    }
  } finally {
    progress?.stop();
  }
  if (job.status === 'failed') throw new LaunchDbError(job.error?.code ?? 'backup_failed', 500, job.error?.message ?? 'the operation failed');
  return job.result as T;
}

type JobProgress = NonNullable<BackupJob['progress']>;

class TerminalProgress {
  readonly #bar = new cliProgress.SingleBar(
    { format: '{piece} |{bar}| {done} MB{of} {rate} MB/s {eta}', hideCursor: true, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  #piece = '';
  #started = 0;

  update(progress: JobProgress): void {
    const key = `${progress.backup}/${progress.piece}`;
    if (key !== this.#piece) {
      if (this.#piece) this.#bar.stop();
      this.#piece = key;
      this.#started = Date.now();
      this.#bar.start(progress.total ?? 0, 0, payload(progress, this.#started));
    }
    if (progress.total) this.#bar.setTotal(progress.total);
    this.#bar.update(progress.bytes, payload(progress, this.#started));
  }

  stop(): void {
    if (this.#piece) this.#bar.stop();
  }
}

class PlainProgress {
  #last = 0;
  #started = new Map<string, number>();

  update(progress: JobProgress): void {
    const key = `${progress.backup}/${progress.piece}`;
    if (!this.#started.has(key)) this.#started.set(key, Date.now());
    if (Date.now() - this.#last < PLAIN_PROGRESS_MS) return;
    this.#last = Date.now();
    const values = payload(progress, this.#started.get(key)!);
    process.stderr.write(`${progress.backup} ${progress.piece}: ${values.done} MB${values.of}, ${values.rate} MB/s ${values.eta}\n`);
  }

  stop(): void {}
}

function payload(progress: JobProgress, started: number): { piece: string; done: string; of: string; rate: string; eta: string } {
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  const rate = progress.bytes / 1e6 / seconds;
  const left = progress.total ? (progress.total - progress.bytes) / 1e6 / Math.max(rate, 0.001) : undefined;
  return {
    piece: progress.piece,
    done: (progress.bytes / 1e6).toFixed(1),
    of: progress.total ? ` of ${(progress.total / 1e6).toFixed(1)}` : '',
    rate: rate.toFixed(1),
    eta: left === undefined ? '' : `ETA ${Math.ceil(left)} s`,
  };
}

function describeBackup(backup: BackupSummary): string {
  const what = backup.kind === 'platform' ? 'platform' : `${backup.project}${backup.template ? ` (${backup.template})` : ''}`;
  return `${backup.id}  ${what}  ${backup.startedAt}  ${formatBytes(backup.bytes)}  ${backup.tables} tables, ${backup.rows} rows${backup.files === null ? '' : `, ${backup.files} files`}  ${backup.reason}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** Without --confirm: the id typed again on a terminal; elsewhere, --confirm is required. */
async function askConfirmation(projectId: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`This replaces the database and files of project ${projectId}. Type its id to go on: `)).trim();
  } finally {
    prompt.close();
  }
}

function required(value: string | undefined, what: string): string {
  if (!value) throw usage(`missing argument: ${what}`);
  return value;
}

function usage(message: string): LaunchDbError {
  return new LaunchDbError('usage', 2, `${message} (launchdb backup help)`);
}
