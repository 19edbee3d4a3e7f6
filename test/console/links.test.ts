// The links the Pulumi CLI prints and opens lead to the console: `pulumi up` prints its update's
// page and `pulumi console` opens the stack's, when the CLI can tell where the console is
// (PULUMI_CONSOLE_DOMAIN here; an `api.` host's `app.` twin otherwise, which Stackyard also answers).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, newSession, screenshot } from '../helpers/browser.js';
import { PulumiCli } from '../helpers/cli.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let cli: PulumiCli;
let bin: string;
let consoleEnv: NodeJS.ProcessEnv;

before(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  cli = new PulumiCli(server.url, server.adminToken, 'linked');
  fs.writeFileSync(
    path.join(cli.projectDir, 'Pulumi.yaml'),
    'name: linked\nruntime: yaml\nconfig:\n  greeting:\n    type: string\n    default: hello\noutputs:\n  greeting: ${greeting}\n',
  );
  // `pulumi console` opens the browser with xdg-open; this one writes down what it was asked to open.
  bin = tempDir('links-bin');
  fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${bin}/opened-url'\n`, { mode: 0o755 });
  consoleEnv = { PULUMI_CONSOLE_DOMAIN: new URL(server.url).host, PATH: `${bin}:${cli.env().PATH}` };
  await cli.ok(['login', server.url]);
});

after(async () => {
  await browser?.close();
  cli.cleanup();
  fs.rmSync(bin, { recursive: true, force: true });
  await server.close();
});

/** A GET with any Host header, as a browser sends it to a name that points at this server. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { Host: host, Accept: 'text/html' } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('links from the CLI to the console', () => {
  it('`pulumi up` prints its update page and `pulumi console` opens the stack page, and both show in the browser', async () => {
    const stack = `${server.org}/linked/dev`;
    await cli.ok(['stack', 'init', stack], { env: consoleEnv });
    const up = await cli.ok(['up', '--yes', '--stack', stack], { env: consoleEnv });
    // The preview before the update, then the update: each prints its page.
    const [preview, printed] = [...up.stdout.matchAll(/View (?:Live|in Browser)[^:]*: (http\S+)/g)].map((m) => m[1]!);
    assert.match(preview ?? '', new RegExp(`^${server.url}/${stack}/previews/[0-9a-f-]{36}$`), up.stdout);
    assert.equal(printed, `${server.url}/${stack}/updates/1`, up.stdout);

    await cli.ok(['console', '--stack', stack], { env: consoleEnv });
    const opened = fs.readFileSync(path.join(bin, 'opened-url'), 'utf8');
    assert.equal(opened, `${server.url}/${stack}`);

    const { context, page } = await newSession(browser, server.url, server.adminToken);
    await page.goto(printed!);
    await page.getByRole('heading', { name: 'Update #1 (update)' }).waitFor();
    await screenshot(page, 'link-update');
    await page.goto(preview!);
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    await page.goto(opened);
    await page.getByRole('heading', { level: 1, name: 'dev' }).waitFor();
    await page.getByText('greeting').first().waitFor();
    await context.close();
  });

  it('answers on the app. twin of an api. host with the console, and keeps the API on both', async () => {
    const page = await getWithHost(`${server.url}/${server.org}/linked/dev/updates/1`, 'app.stackyard.example');
    assert.equal(page.status, 200);
    assert.match(page.body, /<div id="root">/);
    const api = await getWithHost(`${server.url}/api/cli/version`, 'api.stackyard.example');
    assert.equal(api.status, 200);
  });
});
