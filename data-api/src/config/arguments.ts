import { ConfigError } from '@launchdb/common/errors';

/**
 * The config file named on the command line: `--config <file>`, `--config=<file>`, or the one
 * positional argument PostgREST itself takes (`postgrest /etc/postgrest.conf`).
 */
export function configFileFromArguments(args: string[]): string | undefined {
  let file: string | undefined;
  const set = (value: string | undefined): void => {
    if (value === undefined || value === '') throw new ConfigError('--config needs a file name');
    if (file !== undefined) throw new ConfigError('give one config file only');
    file = value;
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--config' || arg === '-c') {
      set(args[index + 1]);
      index += 1;
    } else if (arg.startsWith('--config=')) {
      set(arg.slice('--config='.length));
    } else if (arg.startsWith('-')) {
      throw new ConfigError(`unknown option ${arg} (usage: data-api [--config <file> | <file>])`);
    } else {
      set(arg);
    }
  }
  return file;
}
