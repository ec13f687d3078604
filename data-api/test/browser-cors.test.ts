/**
 * CORS as a browser enforces it: a page of another origin calls the data API the way
 * supabase-js does (Authorization, Prefer and apikey headers: a preflight first) and reads
 * the body and the headers PostgREST exposes; a page of an origin the server does not allow
 * cannot read anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hasChromium, launchChromium, servePageOrigin } from '../../test/browser.ts';
import { HOMEOWNER_SUB, signToken, startConformanceServer, type ConformanceServer } from './conformance/harness.ts';

interface Outcome {
  status?: number;
  body?: unknown;
  contentRange?: string | null;
  failed?: string;
}

/** `fetch` from the page, as a web app would; a CORS refusal is the TypeError fetch rejects with. */
function fetchFromPage(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Outcome> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return { status: response.status, body: await response.json(), contentRange: response.headers.get('content-range') };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url, init },
  );
}

describe.runIf(hasChromium() || process.env.CI)('CORS in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let pageOrigin: { origin: string; close: () => Promise<void> };
  let open: ConformanceServer;
  let restricted: ConformanceServer;
  const token = signToken({ role: 'authenticated', sub: HOMEOWNER_SUB });
  const supabaseHeaders = { Authorization: `Bearer ${token}`, apikey: token, 'X-Client-Info': 'supabase-js/2', Prefer: 'count=exact' };

  beforeAll(async () => {
    // the API on 127.0.0.1, the page on localhost: another origin
    [open, restricted, pageOrigin, browser] = await Promise.all([
      startConformanceServer(),
      startConformanceServer({ env: { PGRST_SERVER_CORS_ALLOWED_ORIGINS: 'https://app.haven.example' } }),
      servePageOrigin('localhost'),
      launchChromium(),
    ]);
    page = await browser.newPage();
    await page.goto(`${pageOrigin.origin}/`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pageOrigin?.close();
    await open?.close();
    await restricted?.close();
  });

  it('lets a page of any origin read, with the preflight its headers need, and see Content-Range', async () => {
    const outcome = await fetchFromPage(page, `${open.url}/properties?select=name&order=id&limit=1`, { headers: supabaseHeaders });
    expect(outcome.failed).toBeUndefined();
    expect(outcome.status).toBe(206);
    expect(outcome.body).toEqual([{ name: expect.any(String) }]);
    expect(outcome.contentRange).toMatch(/^0-0\/\d+$/);
  });

  it('lets it write and read the error of a refused write', async () => {
    const refused = await fetchFromPage(page, `${open.url}/properties`, {
      method: 'POST',
      headers: { ...supabaseHeaders, 'Content-Type': 'application/json' },
      body: '{"helicopter": true}',
    });
    expect(refused).toMatchObject({ status: 400, body: { code: 'PGRST204' } });
  });

  it('refuses a page of an origin server-cors-allowed-origins does not list', async () => {
    const outcome = await fetchFromPage(page, `${restricted.url}/properties?select=name`, { headers: supabaseHeaders });
    expect(outcome.failed).toMatch(/TypeError/);
  });
});
