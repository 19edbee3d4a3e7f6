import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { connectDatabase } from '../src/db/open.js';
import { databaseArgs, databaseUrlOf, testDatabase } from './helpers/database.js';
import { createStack, deploymentWithResources } from './helpers/factories.js';
import { ApiClient } from './helpers/http.js';
import { serveProcess, stopProcess as stop, tempDir } from './helpers/server.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/stackyard.js');
const dataDir = tempDir('command');
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function admin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const database = await databaseArgs(dataDir);
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'admin', ...args, '--data-dir', dataDir, ...database], { env: { PATH: process.env.PATH } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('stackyard serve', () => {
  let adminToken = '';

  it('prints the admin token and the login command once, on the first boot', async () => {
    const served = await serveProcess(dataDir);
    const match = /Admin access token \(shown only now\): (pul-[0-9a-f]{40})/.exec(served.output());
    assert.ok(match, served.output());
    adminToken = match[1]!;
    assert.match(served.output(), new RegExp(`PULUMI_ACCESS_TOKEN=${adminToken} pulumi login http://localhost:\\d+`));
    assert.match(served.output(), /Or sign in to the web console at http:\/\/localhost:\d+\/ with it\./);
    const page = await fetch(`${served.url}/`, { headers: { Accept: 'text/html' } });
    assert.equal(page.status, 200, 'the console is served by the built server');
    assert.match(await page.text(), /<div id="root">/);
    const api = new ApiClient(served.url, adminToken);
    assert.equal((await api.get('/api/user')).body.githubLogin, 'admin');
    assert.equal(await stop(served), 0);
    assert.match(served.output(), /shutting down/);
    // Only the banner carries the token; no log line does.
    const logLines = served.output().split('\n').filter((line) => line.startsWith('{'));
    assert.ok(logLines.length > 0);
    assert.ok(logLines.every((line) => !line.includes(adminToken)));
  });

  it('neither prints nor regenerates it on later boots, and keeps the data', async () => {
    const served = await serveProcess(dataDir);
    assert.doesNotMatch(served.output(), /pul-[0-9a-f]{40}/);
    const api = new ApiClient(served.url, adminToken);
    assert.equal((await api.post('/api/stacks/stackyard/proj', { stackName: 'kept' })).status, 200);
    assert.equal(await stop(served), 0);
    const again = await serveProcess(dataDir);
    assert.equal((await new ApiClient(again.url, adminToken).get('/api/stacks/stackyard/proj/kept')).status, 200);
    assert.equal(await stop(again), 0);
  });
});

describe('stackyard admin', () => {
  it('creates an organization, a user in it and a token, which the server then accepts', async () => {
    const org = await admin(['create-org', 'acme-corp', '--owner', 'admin']);
    assert.equal(org.code, 0, org.stderr);
    assert.equal(org.stdout, "created organization 'acme-corp'\n");
    const user = await admin(['create-user', 'bob', '--name', 'Bob', '--email', 'bob@example.com', '--org', 'acme-corp']);
    assert.equal(user.code, 0, user.stderr);
    const bobToken = user.stdout.trim();
    assert.match(bobToken, /^pul-[0-9a-f]{40}$/);
    const added = await admin(['add-member', 'stackyard', 'bob', '--role', 'admin']);
    assert.equal(added.stdout, "'bob' is now a admin of 'stackyard'\n");
    const second = await admin(['create-token', 'bob', '--description', 'ci']);
    assert.match(second.stdout.trim(), /^pul-[0-9a-f]{40}$/);

    const served = await serveProcess(dataDir);
    try {
      for (const token of [bobToken, second.stdout.trim()]) {
        const me = await new ApiClient(served.url, token).get('/api/user');
        assert.equal(me.body.githubLogin, 'bob');
        assert.equal(me.body.name, 'Bob');
        assert.equal(me.body.email, 'bob@example.com');
        assert.deepEqual(
          me.body.organizations.map((o: { githubLogin: string; role: string }) => [o.githubLogin, o.role]),
          [['acme-corp', 'member'], ['stackyard', 'admin']],
        );
      }
    } finally {
      await stop(served);
    }
  });

  it('refuses bad names, duplicates and unknown users with a message and exit code 1', async () => {
    const badOrg = await admin(['create-org', 'a']);
    assert.equal(badOrg.code, 1);
    assert.match(badOrg.stderr, /invalid organization name 'a'/);
    const dupUser = await admin(['create-user', 'bob']);
    assert.equal(dupUser.code, 1);
    assert.equal(dupUser.stderr, "stackyard: Conflict: user 'bob' already exists\n");
    const unknown = await admin(['add-member', 'acme-corp', 'nobody']);
    assert.equal(unknown.stderr, "stackyard: Not Found: user 'nobody' not found\n");
    const badRole = await admin(['add-member', 'acme-corp', 'bob', '--role', 'owner']);
    assert.equal(badRole.stderr, "stackyard: --role must be 'member' or 'admin', got 'owner'\n");
    const noCommand = await admin(['explode']);
    assert.equal(noCommand.code, 1);
    assert.match(noCommand.stderr, /unknown admin command 'explode'/);
  });

  if (testDatabase === 'postgres') {
    it('leaves backups of PostgreSQL to pg_dump', async () => {
      const backup = await admin(['backup', path.join(tempDir('backup'), 'stackyard.db')]);
      assert.equal(backup.code, 1);
      assert.equal(backup.stderr, 'stackyard: admin backup copies SQLite databases; back up PostgreSQL with pg_dump\n');
    });
  } else it('backs up the database while the server writes to it, and the copy serves the same stacks and secrets', async () => {
    const served = await serveProcess(dataDir);
    const api = new ApiClient(served.url, (await admin(['create-token', 'admin'])).stdout.trim());
    const restoredDir = tempDir('restored');
    try {
      assert.equal((await api.post('/api/stacks/stackyard/proj', { stackName: 'backed-up' })).status, 200);
      const encrypted = await api.post('/api/stacks/stackyard/proj/backed-up/encrypt', { plaintext: Buffer.from('kept secret').toString('base64') });
      assert.equal(encrypted.status, 200, encrypted.text);
      // Writes go on while the copy is taken.
      const writes = Promise.all(Array.from({ length: 20 }, (_, i) => api.post('/api/stacks/stackyard/proj', { stackName: `during-${i}` })));
      const backup = await admin(['backup', path.join(restoredDir, 'stackyard.db')]);
      await writes;
      assert.equal(backup.code, 0, backup.stderr);
      assert.equal(backup.stdout, `backed up the database to ${path.join(restoredDir, 'stackyard.db')}\n`);
      const again = await admin(['backup', path.join(restoredDir, 'stackyard.db')]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists; a backup never overwrites a file/);

      fs.copyFileSync(path.join(dataDir, 'master.key'), path.join(restoredDir, 'master.key'));
      const restored = await serveProcess(restoredDir);
      try {
        const restoredApi = new ApiClient(restored.url, api.token);
        assert.equal((await restoredApi.get('/api/stacks/stackyard/proj/backed-up')).status, 200);
        const decrypted = await restoredApi.post('/api/stacks/stackyard/proj/backed-up/decrypt', { ciphertext: encrypted.body.ciphertext });
        assert.equal(Buffer.from(decrypted.body.plaintext, 'base64').toString(), 'kept secret');
      } finally {
        await stop(restored);
      }
    } finally {
      await stop(served);
      fs.rmSync(restoredDir, { recursive: true, force: true });
    }
  });

  it('reindexes every stack: search answers the same, and an index emptied by hand is whole again', async () => {
    const served = await serveProcess(dataDir);
    const api = new ApiClient(served.url, (await admin(['create-token', 'admin'])).stdout.trim());
    const handle = await connectDatabase(await databaseUrlOf(dataDir));
    const search = async () => {
      const reply = await api.get(`/api/orgs/stackyard/search/resources?query=${encodeURIComponent('project:searched')}&sort=urn&asc=true&facet=type&properties=true`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body;
    };
    try {
      await createStack(api, 'stackyard', 'searched', 'dev');
      const imported = await api.post('/api/stacks/stackyard/searched/dev/import', deploymentWithResources('searched', 'dev', 3));
      assert.equal(imported.status, 200, imported.text);
      const indexed = await search();
      assert.equal(indexed.total, 5, 'the stack, its provider and three resources');
      // In URN order: `pulumi-nodejs:…` sorts before `pulumi:…`.
      assert.deepEqual(
        indexed.resources.map((r: { name: string }) => r.name),
        ['thing-0', 'thing-1', 'thing-2', 'default', 'searched-dev'],
      );
      const { stacks } = await handle.db.selectFrom('stacks').select((eb) => eb.fn.countAll<number>().as('stacks')).executeTakeFirstOrThrow();

      // While the server serves.
      const reindexed = await admin(['reindex']);
      assert.equal(reindexed.code, 0, reindexed.stderr);
      assert.equal(reindexed.stdout, `Reindexed the resources of ${Number(stacks)} stacks\n`);
      assert.deepEqual(await search(), indexed);

      // Emptied by hand, all but SQLite's full-text table, whose stale entries the rebuild must not trust.
      await handle.db.deleteFrom('resource_index_details').execute();
      await handle.db.deleteFrom('resource_index').execute();
      await handle.db.deleteFrom('indexed_stacks').execute();
      assert.deepEqual((await search()).resources, []);
      const restored = await admin(['reindex']);
      assert.equal(restored.code, 0, restored.stderr);
      assert.equal(restored.stdout, `Reindexed the resources of ${Number(stacks)} stacks\n`);
      assert.deepEqual(await search(), indexed);
      const byName = await api.get(`/api/orgs/stackyard/search/resources?query=${encodeURIComponent('thing-1')}`);
      assert.deepEqual(byName.body.resources.map((r: { urn: string }) => r.urn), ['urn:pulumi:dev::searched::pulumi-nodejs:dynamic:Resource::thing-1']);
    } finally {
      await handle.db.destroy();
      await stop(served);
    }
  });

  it('refuses a bad configuration before touching anything', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'serve', '--port', '99999', '--data-dir', dataDir], (error, _out, stderr) =>
        resolve({ code: Number(error?.code ?? 0), stderr }),
      ),
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "stackyard: --port (STACKYARD_PORT) must be a whole number from 1 to 65535, got '99999'\n");
  });
});
