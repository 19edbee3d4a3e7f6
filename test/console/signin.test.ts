// The console's sign-in in headless Chromium: an access token, and the Pulumi CLI's browser login
// (`pulumi login <url>` with no token, ENTER at its prompt) completed by a click in the console.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, newSession, screenshot } from '../helpers/browser.js';
import { pulumiBinDir } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let server: TestServer;
let browser: Browser;
const cleanups: string[] = [];

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server.close();
  for (const dir of cleanups) fs.rmSync(dir, { recursive: true, force: true });
});

describe('console sign-in', () => {
  it('serves the page for browsers at any console path, assets cached for good, and JSON 404s to API clients', async () => {
    const page = await fetch(`${server.url}/${server.org}/proj/dev/updates/3`, { headers: { Accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(`${server.url}${asset}`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    const api = await fetch(`${server.url}/api/no/such/route`, { headers: { Accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal((await api.json()).code, 404);
    const json = await fetch(`${server.url}/somewhere`, { headers: { Accept: 'application/json' } });
    assert.equal(json.status, 404, 'an API client asking for a path outside /api/ gets the API 404');
    assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404);
  });

  it('refuses a wrong token, signs in with a right one and out again', async () => {
    const { context, page } = await newSession(browser, server.url);
    await page.goto('/');
    await page.getByLabel('Access token').fill('pul-not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /credentials/i }).waitFor();
    await screenshot(page, 'signin');
    await page.getByLabel('Access token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/${server.org}$`));
    assert.equal(await page.getByRole('combobox', { name: 'Organization' }).inputValue(), server.org);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').waitFor();
    assert.equal(await page.evaluate(() => window.localStorage.getItem('stackyard.token')), null);
    await context.close();
  });

  it('works from the keyboard alone: sign in, skip to the content, follow the navigation, sign out', async () => {
    const { context, page } = await newSession(browser, server.url);
    /** Tabs until the focused element's text or label is `name`, as a keyboard user would. */
    async function tabTo(name: string): Promise<void> {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLInputElement | null;
          return (el?.getAttribute('aria-label') ?? el?.labels?.[0]?.textContent ?? el?.textContent ?? '').trim();
        });
        if (focused === name) return;
      }
      assert.fail(`Tab never reached ${name}`);
    }
    await page.goto('/');
    await tabTo('Access token');
    await page.keyboard.type(server.adminToken);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/${server.org}$`));
    await tabTo('Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await tabTo('Teams');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/${server.org}/settings/teams$`));
    await page.getByRole('heading', { name: 'Teams' }).first().waitFor();
    await tabTo('Sign out');
    await page.keyboard.press('Enter');
    await page.getByLabel('Access token').waitFor();
    await context.close();
  });

  it('completes `pulumi login` without a token typed: the CLI opens /cli-login, the console makes a token and hands it to the CLI', async () => {
    const home = tempDir('browser-login-home');
    const bin = tempDir('browser-login-bin');
    cleanups.push(home, bin);
    // The CLI opens the browser with xdg-open; this one hands the URL to the test.
    const opened = path.join(bin, 'opened-url');
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const host = new URL(server.url).host;
    // Interactive only on a terminal and outside CI: `script` gives it one, and the environment is built from scratch.
    const env = {
      PATH: `${bin}:${pulumiBinDir()}:/usr/bin:/bin`,
      HOME: home,
      PULUMI_HOME: home,
      TERM: 'xterm',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_CONSOLE_DOMAIN: host,
    };
    const login = spawn('script', ['-qfec', `pulumi login ${server.url}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    login.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    login.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => login.on('exit', resolve));
    try {
      await waitFor('the login prompt', async () => (/log in with your browser/.test(output) ? true : undefined), 60_000);
      login.stdin.write('\r');
      const url = await waitFor('the CLI to open the browser', async () => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8') : undefined), 30_000);
      assert.match(url, new RegExp(`^http://${host.replace('.', '\\.')}/cli-login\\?`));

      const { context, page } = await newSession(browser, server.url, server.adminToken);
      await page.goto(url);
      await page.getByRole('heading', { name: 'Sign in the Pulumi CLI' }).waitFor();
      assert.match(await page.locator('main').innerText(), /as admin/);
      await screenshot(page, 'cli-login');
      await page.getByRole('button', { name: 'Authorize the CLI' }).click();
      await page.waitForURL(/\/welcome\/cli$/);
      await page.getByRole('heading', { name: 'The Pulumi CLI is signed in' }).waitFor();
      assert.equal(await exited, 0, output);
      await context.close();
    } finally {
      login.kill();
    }

    // The CLI keeps the token the console made: whoami works with it, and it is the admin's new personal token.
    const credentials = JSON.parse(fs.readFileSync(path.join(home, 'credentials.json'), 'utf8'));
    const token = credentials.accessTokens[server.url];
    assert.match(token, /^pul-/);
    const me = await new ApiClient(server.url, token).get('/api/user');
    assert.equal(me.body.githubLogin, 'admin');
    const tokens = (await new ApiClient(server.url, server.adminToken).get('/api/user/tokens')).body.tokens;
    assert.ok(tokens.some((t: any) => /Generated by pulumi login/.test(t.description)), JSON.stringify(tokens));
  });
});
