// An entry for service-bundles.test.ts: what a service's bundle must keep from its sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PLATFORM_MIGRATIONS_FOLDER } from '@launchdb/platform-api/setup/platform-database';

process.stdout.write(
  JSON.stringify({
    self: fileURLToPath(import.meta.url),
    migrationsFolder: PLATFORM_MIGRATIONS_FOLDER,
    migrationsFound: existsSync(PLATFORM_MIGRATIONS_FOLDER),
    npmPackageWorks: z.object({ a: z.number() }).safeParse({ a: 1 }).success,
  }),
);
