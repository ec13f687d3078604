import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDataApi } from '../build.ts';

const dataApiRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The data API as it is deployed (the bundle `npm run build -w data-api` builds, see build.ts)
 * and the floor bundled the same way, into `outDir` (not dist/, which other work may be using).
 * Returns the two entry files.
 */
export async function bundleServers(outDir: string): Promise<{ dataApi: string; floor: string }> {
  await bundleDataApi(outDir, { main: join(dataApiRoot, 'src/main.ts'), 'floor-server': join(dataApiRoot, 'bench/floor-server.ts') });
  return { dataApi: join(outDir, 'main.js'), floor: join(outDir, 'floor-server.js') };
}
