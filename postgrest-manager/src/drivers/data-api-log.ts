import type { Logger } from '@launchdb/common';
import type { DataApiSettings } from '../domain/data-api-settings.ts';

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Re-logs one line of a data API's output through our logger (a child carrying `project`):
 * its JSON log records keep their level and message, anything else is a warning.
 */
export function forwardDataApiLogLine(logger: Logger, line: string): void {
  const record = parseRecord(line);
  if (!record) {
    logger.warn({ output: line }, 'data API output');
    return;
  }
  const { level, msg, time: _time, service: _service, name: _name, pid: _pid, hostname: _hostname, ...fields } = record;
  const method = PINO_LEVELS[level as number] ?? 'info';
  logger[method]({ dataApi: fields }, typeof msg === 'string' ? msg : 'data API log');
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && typeof (value as { level?: unknown }).level === 'number' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the project's secrets in a line of its data API's output. The data API never logs
 * them in normal operation, but its configuration errors quote the offending value.
 */
export function secretRedactor(settings: DataApiSettings): (line: string) => string {
  const secrets = new Set<string>([settings.jwtSecret]);
  for (const uri of [settings.dbUri, settings.dbListenUri]) {
    const password = URL.canParse(uri) ? new URL(uri).password : '';
    if (password !== '') {
      secrets.add(password);
      secrets.add(decodeURIComponent(password));
    }
  }
  const values = [...secrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  return (line) => values.reduce((text, value) => text.replaceAll(value, '[redacted]'), line);
}
