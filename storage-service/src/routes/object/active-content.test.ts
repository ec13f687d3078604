/**
 * Files a user uploads are served from the origin that also serves the dashboard: an uploaded
 * HTML, SVG or XHTML page must never run script with that origin. Opened in Chromium from its
 * public and signed URLs, at the top level and in a frame of a page of the origin, none of
 * them can reach the origin's localStorage, nor run at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium } from '../../../../test/browser.ts';
import type { ServiceTestProject } from '../../../../test/service-projects.ts';
import { startStorageTestbed, type StorageTestbed } from '../../testing/storage-testbed.ts';

/** Each file's script reports that it ran, then what it could read of the origin's storage. */
const exfiltrate = (kind: string) => `fetch('/exfil?ran=${kind}'); fetch('/exfil?${kind}=' + localStorage.getItem('secret'));`;

const FILES = {
  'page.html': { type: 'text/html; charset=utf-8', body: `<!doctype html><title>page</title><script>${exfiltrate('html')}</script>` },
  'drawing.svg': { type: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg"><script>${exfiltrate('svg')}</script></svg>` },
  'page.xhtml': {
    type: 'application/xhtml+xml',
    body: `<html xmlns="http://www.w3.org/1999/xhtml"><body><script>${exfiltrate('xhtml')}</script></body></html>`,
  },
  'feed.xml': { type: 'application/xml', body: `<html xmlns="http://www.w3.org/1999/xhtml"><script>${exfiltrate('xml')}</script></html>` },
  'notes.txt': { type: 'text/plain', body: `<!doctype html><script>${exfiltrate('sniffed')}</script>` },
} as const;

describe.runIf(hasChromium() || process.env.CI)('uploaded active content in Chromium', () => {
  let bed: StorageTestbed;
  let project: ServiceTestProject;
  let browser: Browser;
  let page: Page;
  const exfiltrated: string[] = [];
  const signed = new Map<string, string>();

  beforeAll(async () => {
    [bed, browser] = await Promise.all([startStorageTestbed('fs'), launchChromium()]);
    project = await bed.projects.createProject();
    const storage = bed.client(project);
    await storage.createBucket('site', { public: true });
    await storage.createBucket('private', { public: false });
    for (const [name, file] of Object.entries(FILES)) {
      for (const bucket of ['site', 'private']) {
        const { error } = await storage.from(bucket).upload(name, Buffer.from(file.body), { contentType: file.type });
        expect(error).toBeNull();
      }
      const { data } = await storage.from('private').createSignedUrl(name, 60);
      signed.set(name, data!.signedUrl);
    }
    page = await browser.newPage();
    page.on('request', (request) => {
      if (request.url().includes('/exfil')) exfiltrated.push(request.url());
    });
    // the origin's own data, as the dashboard would keep a session there
    await page.goto(`${bed.origin}/health`);
    await page.evaluate(() => localStorage.setItem('secret', 'session-token'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  const urls = (name: string) => ({
    public: `${bed.storageUrl(project.id)}/object/public/site/${name}`,
    signed: signed.get(name)!,
  });

  it('runs no script of an uploaded page opened at the top level', async () => {
    for (const name of Object.keys(FILES)) {
      for (const [route, url] of Object.entries(urls(name))) {
        const response = await page.goto(url);
        expect(response!.status(), `${route} ${name}`).toBe(200);
        await page.waitForTimeout(50);
      }
    }
    expect(exfiltrated).toEqual([]);
  });

  it('runs no script of an uploaded page framed by a page of the origin', async () => {
    await page.goto(`${bed.origin}/health`);
    for (const name of Object.keys(FILES)) {
      for (const url of Object.values(urls(name))) {
        await page.evaluate(
          (src) =>
            new Promise<void>((resolve) => {
              const frame = document.createElement('iframe');
              frame.onload = () => resolve();
              frame.src = src;
              document.body.append(frame);
            }),
          url,
        );
      }
    }
    await page.waitForTimeout(100);
    expect(exfiltrated).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('secret'))).toBe('session-token');
  });

  it('serves every download with nosniff, active types sandboxed and HTML as plain text, as Supabase does', async () => {
    const authenticated = (name: string) =>
      fetch(`${bed.storageUrl(project.id)}/object/authenticated/private/${name}`, { headers: { authorization: `Bearer ${project.serviceKey}` } });
    for (const [name, file] of Object.entries(FILES)) {
      for (const response of [await authenticated(name), await fetch(urls(name).public), await fetch(urls(name).signed)]) {
        expect(response.status, name).toBe(200);
        expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
        expect(response.headers.get('content-type'), name).toBe(name === 'page.html' ? 'text/plain' : file.type);
        expect(response.headers.get('content-security-policy'), name).toBe(name === 'notes.txt' ? null : 'sandbox');
        await response.arrayBuffer();
      }
    }
  });
});
