/**
 * Every failure a service reports is one of these: a stable machine-readable `code`, the HTTP
 * status it maps to, and a message safe to show to the caller (never a secret).
 * Each protocol (platform API, PostgREST, GoTrue, Storage) defines its own factory of these
 * in its own `errors.ts` and its own renderer; this class is only the common shape.
 */
export class LaunchDbError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LaunchDbError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** A setting is missing or invalid: the process must stop with exit code 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A problem the operator has to fix before the platform can start (a port in use, a foreign
 * data folder, …). `launchdb` prints the message as one line and exits with code 1.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export function isLaunchDbError(value: unknown): value is LaunchDbError {
  return value instanceof LaunchDbError;
}
