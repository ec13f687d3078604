import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { env } from '@launchdb/common/config';

/** What the worker reads from its environment; every one has a default fit for one small server. */
export const workerSettings = {
  /** Photos and voice notes processed at once (OCR beyond the thread pool's size waits for a thread). */
  WORKER_CONCURRENCY: env.positiveInt(8),
  /** Notes (text captures) in flight at once, apart from the photos: claimed, matched and written in batches of up to this many. */
  WORKER_TEXT_CONCURRENCY: env.positiveInt(100),
  /** How long a claim holds: a worker killed mid-job frees its captures after this. */
  WORKER_LEASE_SECONDS: env.positiveInt(120),
  /** Attempts before a capture is `failed` with its last error. */
  WORKER_MAX_ATTEMPTS: env.positiveInt(5),
  /** Every project is swept for work missed (worker down, lost NOTIFY) this often. */
  WORKER_SWEEP_SECONDS: env.positiveInt(60),
  /** A project with a request in this many minutes is "active": it gets a LISTEN session. */
  WORKER_ACTIVE_MINUTES: env.positiveInt(5),
  /** LISTEN sessions held at most (one per active project, most recently active first). */
  WORKER_MAX_LISTENERS: env.positiveInt(12),
  /** Connections for claims and results through PgBouncer, across all projects. */
  WORKER_MAX_CONNECTIONS: env.positiveInt(8),
  /** OCR threads; default: the machine's cores less one for the event loop, at least one. */
  WORKER_OCR_THREADS: env.positiveInt(Math.max(1, availableParallelism() - 1)),
  /** An OpenAI-compatible server (`…/v1/audio/transcriptions`) for voice captures; unset: none. */
  /** When the due-task reminder sweep runs (cron syntax; default every 15 minutes). */
  WORKER_DUE_CRON: z.string().min(1).default('*/15 * * * *'),
  WORKER_TRANSCRIBE_URL: z.url({ error: 'expected an http(s) URL' }).optional(),
  WORKER_TRANSCRIBE_MODEL: z.string().min(1).default('whisper-1'),
  WORKER_TRANSCRIBE_API_KEY: z.string().min(1).optional(),
};

export const workerSettingsSchema = z.object(workerSettings);
export type WorkerSettings = z.infer<typeof workerSettingsSchema>;

export const defaultWorkerSettings = (): WorkerSettings => workerSettingsSchema.parse({});
