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

  /** Signs up; a homeowner without homes lands on 'Your homes', one with a single home on that home. */
  const signUp = async (page: Page, email: string, landing: 'homes' | 'home' = 'homes'): Promise<void> => {
    await page.goto(`${running.url}/app/${project.id}/`);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    if (landing === 'homes') await page.getByRole('heading', { name: 'Your homes' }).waitFor();
    else await page.getByRole('region', { name: 'House health' }).waitFor();
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
    await page.getByRole('button', { name: 'Capture' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // signed in after a reload: the session is kept under the project's own key
    await page.reload();
    await page.getByRole('region', { name: 'House health' }).waitFor();
    const keys = await page.evaluate(() => Object.keys(localStorage));
    expect(keys).toContain(`haven-${project.id}`);
    await page.close();
  });

  it('keeps a home with a household: a furnace from the catalogue, a task marked done, a manual, a capture the worker reads, a second homeowner', { timeout: 150_000 }, async () => {
    const stamp = Date.now();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signUp(page, `keeper-${stamp}@haven.example.com`);
    await page.getByRole('button', { name: 'Add a home' }).first().click();
    await page.getByLabel('Name').fill('Oak Lane');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'House health' }).waitFor();
    const homeUrl = page.url();

    // a furnace from the catalogue brings its tasks and supplies
    await page.getByRole('link', { name: 'Assets' }).click();
    await page.getByRole('button', { name: 'Add an asset' }).click();
    await page.getByLabel('What is it?').selectOption({ label: 'Furnace' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Maintenance' }).waitFor();
    const tasks = page.getByRole('button', { name: 'Mark done' });
    await tasks.first().waitFor();
    expect(await tasks.count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // a manual, uploaded and listed
    await page.getByLabel('Upload a document').setInputFiles({ name: 'furnace-manual.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% a tiny manual\n') });
    await page.getByRole('button', { name: 'View furnace-manual.pdf' }).waitFor();

    // marking a task done logs it and moves its due date
    await tasks.first().click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await expect.poll(() => page.locator('section[aria-labelledby="history-title"] li').count()).toBe(1);

    // a text capture goes to the inbox
    await page.getByRole('button', { name: 'Capture' }).click();
    await page.getByRole('button', { name: 'Write a note' }).click();
    await page.getByLabel('Note').fill('replaced furnace filter');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.getByRole('list', { name: 'Captures' }).getByText('replaced furnace filter').waitFor();
    // the worker reads it and proposes the furnace's filter task; one tap completes it
    await page.getByRole('button', { name: 'Mark this task done' }).click({ timeout: 45_000 });
    await page.getByRole('status').getByText(/^Done: .*filter/i).waitFor();

    // a second homeowner, invited by email, sees the home once signed up
    const friend = `friend-${stamp}@haven.example.com`;
    await page.goto(homeUrl);
    await page.getByRole('link', { name: 'Household' }).click();
    await page.getByLabel('Their email').fill(friend);
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('status').getByText('is invited').waitFor();
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const second = await other.newPage();
    // invited before they had an account: their only home is the one they were invited to
    await signUp(second, friend, 'home');
    await second.getByRole('heading', { name: 'Oak Lane' }).waitFor();
    // members see who is who: the friend sees the owner's address, the owner the friend's
    await second.getByRole('link', { name: 'Household' }).click();
    const secondMembers = second.getByRole('region', { name: 'Members' });
    await secondMembers.getByText(`keeper-${stamp}@haven.example.com`).waitFor();
    await secondMembers.getByText(`You (${friend})`).waitFor();
    await other.close();
    await page.reload();
    await page.getByRole('region', { name: 'Members' }).getByText(friend).waitFor();
    expect(await page.getByRole('region', { name: 'Members' }).getByText('invitation pending').count()).toBe(0);
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
