import { ConfigError } from './errors.ts';
import type { Logger } from './logger.ts';

/*
 * A service run alone, as its own process (its container, or `launchdb up --split`): how its
 * main.ts reads its settings and how it ends.
 */

/**
 * What `read` makes of the settings (the environment and ./.env): a ConfigError ends the process
 * with one line on stderr and status 1, so an operator sees which setting is wrong, not a stack.
 */
export function settingsOrExit<T>(service: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** On SIGINT or SIGTERM: `stop` (servers, sessions, pools), then exit 0. */
export function exitOnSignals(stop: () => Promise<unknown>, logger?: Logger): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger?.info({ signal }, 'shutting down');
      void stop().then(() => process.exit(0));
    });
  }
}
