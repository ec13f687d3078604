export { CaptureWorker, type CaptureWorkerOptions, type WorkerHealth, type WorkerQueues } from './capture-worker.ts';
export { registerWorkerMetrics, type WorkerMetricsOptions } from './metrics.ts';
export { startWorkerServer } from './http-server.ts';
export { workerSettings, workerSettingsSchema, defaultWorkerSettings, type WorkerSettings } from './settings.ts';
export { CAPTURE_CHANNEL } from './listeners.ts';
export { requestProjectId } from './project-activity.ts';
export type { DueSweepReport, SmtpServer } from './reminders/due-sweep.ts';
