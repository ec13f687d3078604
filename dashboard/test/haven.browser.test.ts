import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/browser.ts';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from '../../cli/src/testing/running-platform.ts';

/**
 * Haven in Debian's Chromium on `launchdb up`, as a homeowner uses it — by the accessible names
 * that are the app's contract: Email, Password, Create account, Sign in, Add a home, Name, Save,
 * the House health region, Mark done, Capture.
 */
describe('Haven, for homeowners', () => {
  let running: RunningPlatform;
  let browser: Browser;
  let project: RunningProject;

  beforeAll(async () => {
    [running, browser] = await Promise.all([startRunningPlatform(), launchChromium()]);
    project = await running.createProject('Haven', 'haven');
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  const signUp = async (page: Page, email: string): Promise<void> => {
    await page.goto(`${running.url}/app/${project.id}/`);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your homes' }).waitFor();
  };

  it('answers an unknown project in words, not a blank page', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/app/no-such-project/`);
    await page.getByText('There is no Haven here').waitFor();
    await page.close();
  });

  it('signs a homeowner up, adds a home and shows its health', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signUp(page, `owner-${Date.now()}@haven.example.com`);
    await page.getByRole('button', { name: 'Add a home' }).first().click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Give your home a name');
    await page.getByLabel('Name').fill('Maple Street');
    await page.getByRole('button', { name: 'Save' }).click();
    const health = page.getByRole('region', { name: 'House health' });
    await health.waitFor();
    expect(Number(await health.locator('.number').textContent())).toBe(100);
    await page.getByRole('link', { name: 'Capture' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // signed in after a reload: the session is kept under the project's own key
    await page.reload();
    await page.getByRole('region', { name: 'House health' }).waitFor();
    const keys = await page.evaluate(() => Object.keys(localStorage));
    expect(keys).toContain(`haven-${project.id}`);
    await page.close();
  });

  it('refuses a wrong password in words', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/app/${project.id}/`);
    await page.getByLabel('Email').fill('nobody@haven.example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('don’t match');
    await page.close();
  });
});
