import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

export type EnvSource = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  env?: EnvSource;
  /** A `.env` file read for variables the environment does not set; missing file is fine. */
  envFile?: string | undefined;
}

/**
 * Reads the variables a schema names from the environment, falling back to a `.env` file.
 * The environment always wins over the file, as with every twelve-factor tool.
 * Empty strings count as unset, so `FOO=` in a compose file means "use the default".
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const env = options.env ?? process.env;
  const fromFile = options.envFile ? readEnvFile(options.envFile) : {};
  const merged: EnvSource = {};
  for (const key of Object.keys(schema.shape)) {
    const value = nonEmpty(env[key]) ?? nonEmpty(fromFile[key]);
    if (value !== undefined) merged[key] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(result.error));
  return result.data;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readEnvFile(path: string): EnvSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseDotenv(text);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const variable = issue.path.join('.') || '(config)';
      return `${variable}: ${issue.message}`;
    })
    .join('; ');
}

/** Building blocks for service schemas, so every service words its expectations the same way. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a TCP port number (1-65535)' })
      .int({ error: 'expected a TCP port number (1-65535)' })
      .min(1, { error: 'expected a TCP port number (1-65535)' })
      .max(65535, { error: 'expected a TCP port number (1-65535)' })
      .default(fallback),
  positiveInt: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a positive whole number' })
      .int({ error: 'expected a positive whole number' })
      .positive({ error: 'expected a positive whole number' })
      .default(fallback),
  postgresUrl: () =>
    z.string().refine((value) => /^postgres(ql)?:\/\/.+/.test(value) && URL.canParse(value), {
      error: 'expected a postgres:// connection URL',
    }),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    }).default('info'),
  secret: (minLength: number) =>
    z.string().min(minLength, { error: `expected a secret of at least ${minLength} characters` }),
  email: () => z.email({ error: 'expected an email address' }),
};
