import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleServers } from '../bench/bundle.ts';

describe('the data API benchmark', () => {
  it('bundles its floor server beside the data API on a clean clone: nothing it reaches holds a native addon', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'data-api-bench-bundle-'));
    try {
      const { dataApi, floor } = await bundleServers(outDir);
      expect((await stat(dataApi)).size).toBeGreaterThan(0);
      expect((await stat(floor)).size).toBeGreaterThan(0);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
