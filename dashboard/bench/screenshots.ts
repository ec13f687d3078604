import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/browser.ts';
import { startDemoPlatform, type DemoPlatform } from './demo-platform.ts';

/**
 * `npm run screenshots`: the main screens of Haven and the console, at a phone's size and a
 * desktop's, from the demo household on a fresh `launchdb up`, into docs/screenshots/ (the
 * README shows them). Light theme; one dark shot of Haven's home.
 */
const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 860 } } as const;

async function shoot(browser: Browser, platform: DemoPlatform, size: keyof typeof SIZES, colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
  const context = await browser.newContext({ viewport: SIZES[size], colorScheme, ...(size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  const page = await context.newPage();
  const save = (name: string): Promise<Buffer> => page.screenshot({ path: `${OUT}${name}-${size}${colorScheme === 'dark' ? '-dark' : ''}.png`, fullPage: size === 'desktop' });
  const app = `${platform.url}/app/${platform.projectId}`;

  await page.goto(`${app}/`);
  await page.getByLabel('Email').waitFor();
  if (colorScheme === 'light') await save('haven-sign-in');
  await page.getByLabel('Email').fill(platform.demo.email);
  await page.getByLabel('Password').fill(platform.demo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('region', { name: 'House health' }).waitFor();
  await settle(page);
  await save('haven-home');
  if (colorScheme === 'dark') return context.close();
  const home = page.url();

  await page.goto(`${home}assets/`);
  await page.getByRole('heading', { name: 'Assets', exact: true }).waitFor();
  await settle(page);
  await save('haven-assets');
  await page.getByRole('link', { name: /furnace/i }).first().click();
  await page.getByRole('heading', { name: 'Maintenance' }).waitFor();
  await settle(page);
  await save('haven-asset');
  await page.goto(`${app}/calendar/`);
  await page.getByRole('heading', { name: 'Coming months' }).waitFor();
  await settle(page);
  await save('haven-calendar');
  await page.goto(`${app}/captures/`);
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
  await settle(page);
  await save('haven-inbox');

  await page.goto(`${platform.url}/console/`);
  await page.getByLabel('Email').fill(platform.operator.email);
  await page.getByLabel('Password').fill(platform.operator.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
  await settle(page);
  await save('console-projects');
  await page.getByText('Haven demo').click();
  await page.getByRole('heading', { name: 'Connect' }).waitFor();
  await settle(page);
  await save('console-project');
  await context.close();
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(150);
}

await mkdir(OUT, { recursive: true });
const platform = await startDemoPlatform();
const browser = await launchChromium();
try {
  await shoot(browser, platform, 'phone');
  await shoot(browser, platform, 'desktop');
  await shoot(browser, platform, 'phone', 'dark');
  process.stdout.write(`screenshots in ${OUT}\n`);
} finally {
  await browser.close();
  await platform.stop();
}
