// Headless Chromium (Debian's package, /usr/bin/chromium) driven by playwright-core, for the
// console's end-to-end tests. Screenshots go to test-artifacts/screenshots (git-ignored).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = path.join(root, 'test-artifacts/screenshots');

/** Chromium as the machine has it; the closed network here refuses its background connections, so they are off. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => fs.existsSync(file));
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install chromium); .ci/run installs it');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser profile; with `token`, already signed in to the console at `baseUrl`. */
export async function newSession(browser: Browser, baseUrl: string, token?: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  if (token) await context.addInitScript((value) => window.localStorage.setItem('stackyard.token', value), token);
  const page = await context.newPage();
  return { context, page };
}

/** Writes `<name>.png` of the whole page to the artifacts folder. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
