import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { BENCH_SMOKE, smoke } from '@launchdb/testkit/bench-smoke';
import { launchChromium } from '../../test/browser.ts';
import { startDemoPlatform, type DemoPlatform } from './demo-platform.ts';

/**
 * `npm run bench:dashboard`: how fast Haven draws its home screen after sign-in in Debian's
 * Chromium, against the floor measured in the same run — the same two API round trips (password
 * grant, property_dashboard) made from Node with no browser — plus the API calls each screen makes
 * and the JavaScript the home screen loads.
 */
const RUNS = smoke(15, 2);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function floor(platform: DemoPlatform, anonKey: string, propertyId: string): Promise<number> {
  const base = `${platform.url}/p/${platform.projectId}`;
  const started = performance.now();
  const token = await fetch(`${base}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: anonKey, 'content-type': 'application/json' },
    body: JSON.stringify(platform.demo),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const dashboard = await fetch(`${base}/rest/v1/rpc/property_dashboard`, {
    method: 'POST',
    headers: { apikey: anonKey, authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ property_id: propertyId }),
  });
  await dashboard.text();
  return performance.now() - started;
}

interface ScreenLoad {
  apiCalls: number;
  jsGzipBytes: number;
}

/** Counts what a screen asks of the project's API and the JavaScript it loads. */
function watch(page: Page, projectId: string): { take: () => ScreenLoad } {
  let apiCalls = 0;
  let jsGzipBytes = 0;
  page.on('request', (request) => {
    if (request.url().includes(`/p/${projectId}/`) && request.method() !== 'OPTIONS') apiCalls += 1;
  });
  page.on('response', async (response) => {
    if (!response.url().endsWith('.js')) return;
    const body = await response.body().catch(() => undefined);
    if (body) jsGzipBytes += gzipSync(body).length;
  });
  return {
    take: () => {
      const load = { apiCalls, jsGzipBytes };
      apiCalls = 0;
      jsGzipBytes = 0;
      return load;
    },
  };
}

const platform = await startDemoPlatform();
const browser = await launchChromium();
try {
  const publicInfo = (await (await fetch(`${platform.url}/api/projects/${platform.projectId}/public`)).json()) as { anon_key: string };

  const drawn: number[] = [];
  const floors: number[] = [];
  const screens: Record<string, ScreenLoad> = {};
  let propertyId = '';
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const watcher = watch(page, platform.projectId);
    await page.goto(`${platform.url}/app/${platform.projectId}/`);
    await page.getByLabel('Email').fill(platform.demo.email);
    await page.getByLabel('Password').fill(platform.demo.password);
    // the JavaScript counted for the home screen is all of it, from opening the app
    const shellJs = watcher.take().jsGzipBytes;
    const started = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    // one home: sign-in lands on it
    await page.getByRole('region', { name: 'House health' }).locator('.number').waitFor();
    drawn.push(performance.now() - started);
    if (run === 0) {
      const home = watcher.take();
      screens['home (after sign-in)'] = { apiCalls: home.apiCalls, jsGzipBytes: shellJs + home.jsGzipBytes };
      propertyId = page.url().split('/homes/')[1]!.split('/')[0]!;
      for (const [name, path, ready] of [
        ['assets', `homes/${propertyId}/assets/`, 'Assets'],
        ['calendar', 'calendar/', 'Coming months'],
        ['inbox', 'captures/', 'Inbox'],
        ['household', `homes/${propertyId}/household/`, 'Members'],
      ] as const) {
        await page.goto(`${platform.url}/app/${platform.projectId}/${path}`);
        await page.getByRole('heading', { name: ready, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        screens[name] = watcher.take();
      }
    }
    await context.close();
    floors.push(await floor(platform, publicInfo.anon_key, propertyId));
  }

  const drawnP50 = percentile(drawn, 50);
  const floorP50 = percentile(floors, 50);
  const lines = [
    `Haven home screen, ${RUNS} sign-ins at 390×844 in Chromium (demo household)`,
    `  drawn after sign-in   p50 ${drawnP50.toFixed(0)} ms   p90 ${percentile(drawn, 90).toFixed(0)} ms   (target ≤ 1000 ms)`,
    `  floor (same 2 API calls from Node)   p50 ${floorP50.toFixed(0)} ms`,
    `  ratio drawn / floor   ${(drawnP50 / floorP50).toFixed(2)}×`,
    'API calls per screen (home: after sign-in) and the JavaScript each loads when opened afresh (gzipped):',
    ...Object.entries(screens).map(([name, load]) => `  ${name.padEnd(22)} ${String(load.apiCalls).padStart(2)} API calls   ${(load.jsGzipBytes / 1024).toFixed(1)} KiB JS`),
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)} at the end (other work ran beside the bench)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!BENCH_SMOKE) {
    await writeFile(
      new URL('../BENCH.md', import.meta.url),
      `# Dashboard benchmark\n\n\`npm run bench:dashboard\`, ${new Date().toISOString().slice(0, 10)}:\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`,
    );
  }
} finally {
  await browser.close();
  await platform.stop();
}
