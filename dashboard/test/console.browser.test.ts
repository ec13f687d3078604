import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/browser.ts';
import { startRunningPlatform, TEST_OPERATOR, type RunningPlatform } from '../../cli/src/testing/running-platform.ts';

/**
 * The console in Debian's Chromium on `launchdb up`, driven by accessible names as an operator
 * would: sign in, create a project, rotate its keys, delete it — at desktop and phone sizes.
 */
describe('the console', () => {
  let running: RunningPlatform;
  let browser: Browser;

  beforeAll(async () => {
    [running, browser] = await Promise.all([startRunningPlatform(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  const signIn = async (page: Page): Promise<void> => {
    await page.goto(`${running.url}/`);
    await expect.poll(() => page.url()).toBe(`${running.url}/console/`);
    await page.getByLabel('Email').fill(TEST_OPERATOR.email);
    await page.getByLabel('Password').fill(TEST_OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
  };

  it('refuses a wrong password in words, keeping what was typed', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/console/`);
    await page.getByLabel('Email').fill(TEST_OPERATOR.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    expect(await page.getByLabel('Email').inputValue()).toBe(TEST_OPERATOR.email);
    await page.close();
  });

  it('creates a project, rotates its keys, backs it up, verifies and restores it, and deletes it with its id typed again', { timeout: 150_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    await page.getByRole('button', { name: 'New project' }).click();
    const create = page.getByRole('dialog', { name: 'New project' });
    await create.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => create.getByRole('alert').textContent()).toContain('Give the project a name');
    await create.getByLabel('Name').fill('Console made');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Console made is ready' }).waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: 'Open project' }).click();
    // exact: "Console made is ready" is a heading too, still there until the project page replaces it
    await page.waitForURL(/\/console\/projects\/[^/]+\/?$/);
    await page.getByRole('heading', { name: 'Console made', exact: true }).waitFor();
    const id = page.url().split('/').filter(Boolean).pop()!;

    const before = (await running.api<{ keys: { anon: string } }>('GET', `/api/projects/${id}`)).body.keys.anon;
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate keys?' });
    await rotate.getByText('stop working at once').waitFor();
    await rotate.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('status').getByText('New keys issued').waitFor();
    const after = (await running.api<{ keys: { anon: string } }>('GET', `/api/projects/${id}`)).body.keys.anon;
    expect(after).not.toBe(before);

    // a backup made, verified in a scratch database, and restored over the project after the id is typed again
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByRole('status').getByText('Backup made').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^Verify the backup of/ }).first().click();
    await page.getByRole('status').getByText('every count matched').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^Restore the backup of/ }).first().click();
    const restore = page.getByRole('dialog', { name: 'Restore this backup?' });
    await restore.getByLabel(`Type ${id} to confirm`).fill(id);
    await restore.getByRole('button', { name: 'Restore backup' }).click();
    await page.getByRole('status').getByText('Backup restored').waitFor({ timeout: 45_000 });

    await page.getByRole('button', { name: 'Delete project' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete this project?' });
    const confirm = remove.getByRole('button', { name: 'Delete project' });
    expect(await confirm.isDisabled()).toBe(true);
    await remove.getByLabel(`Type ${id} to confirm`).fill(id);
    await confirm.click();
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    expect((await running.api('GET', `/api/projects/${id}`)).status).toBe(404);
    await page.close();
  });

  it('fits a phone: nothing scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page);
    await running.createProject('Phone sized');
    await page.reload();
    await page.getByText('Phone sized').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByText('Phone sized').click();
    await page.getByRole('heading', { name: 'Connect' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });
});
