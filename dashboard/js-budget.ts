import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Fails the build when the browser's JavaScript outgrows its budget. It counts every client
 * chunk of both apps, gzipped — a bound on what any one screen (Haven's home above all) loads.
 */
export function jsBudget(limitKiB: number): Plugin {
  return {
    name: 'launchdb-js-budget',
    apply: 'build',
    writeBundle(_options, bundle) {
      if (this.environment.name !== 'client') return;
      let total = 0;
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk') total += gzipSync(output.code, { level: 9 }).length;
      }
      const kib = total / 1024;
      this.info(`JavaScript for the browser: ${kib.toFixed(1)} KiB gzipped (budget ${limitKiB} KiB)`);
      if (kib > limitKiB) this.error(`the browser's JavaScript is ${kib.toFixed(1)} KiB gzipped, over its budget of ${limitKiB} KiB`);
    },
  };
}
