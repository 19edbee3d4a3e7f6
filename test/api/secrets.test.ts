import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { createOrganization, createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { databaseArgs } from '../helpers/database.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
const dataDir = tempDir('secrets');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

before(async () => {
  server = await startTestServer({ dataDir });
  api = new ApiClient(server.url, server.adminToken);
  await createStack(api, 'stackyard', 'sec', 'a');
  await createStack(api, 'stackyard', 'sec', 'b');
});
after(() => server.close());

const a = '/api/stacks/stackyard/sec/a';
const b = '/api/stacks/stackyard/sec/b';

describe('service secrets', () => {
  it('encrypts and decrypts one value, never returning the plaintext in the ciphertext', async () => {
    const encrypted = await api.post(`${a}/encrypt`, { plaintext: b64('hunter2') });
    assert.equal(encrypted.status, 200);
    assert.deepEqual(Object.keys(encrypted.body), ['ciphertext']);
    assert.doesNotMatch(text(encrypted.body.ciphertext), /hunter2/);
    const again = await api.post(`${a}/encrypt`, { plaintext: b64('hunter2') });
    assert.notEqual(again.body.ciphertext, encrypted.body.ciphertext, 'every encryption uses a fresh nonce');
    const decrypted = await api.post(`${a}/decrypt`, { ciphertext: encrypted.body.ciphertext });
    assert.deepEqual(decrypted.body, { plaintext: b64('hunter2') });
  });

  it('batch-encrypts in order and batch-decrypts into a map keyed by the exact ciphertexts sent', async () => {
    const plaintexts = ['one', 'two', '', 'ünïcode ✓'].map(b64);
    const encrypted = await api.post(`${a}/batch-encrypt`, { plaintexts }, { gzip: true });
    assert.equal(encrypted.body.ciphertexts.length, 4);
    const decrypted = await api.post(`${a}/batch-decrypt`, { ciphertexts: encrypted.body.ciphertexts }, { gzip: true });
    assert.deepEqual(
      decrypted.body,
      { plaintexts: Object.fromEntries(encrypted.body.ciphertexts.map((c: string, i: number) => [c, plaintexts[i]])) },
    );
    assert.deepEqual((await api.post(`${a}/batch-decrypt`, { ciphertexts: [] })).body, { plaintexts: {} });
  });

  it('refuses another stack’s ciphertext, a tampered one and bad base64 with 400', async () => {
    const { ciphertext } = (await api.post(`${a}/encrypt`, { plaintext: b64('only for a') })).body;
    const foreign = await api.post(`${b}/decrypt`, { ciphertext });
    assert.deepEqual(foreign.body, { code: 400, message: "Bad Request: a ciphertext could not be decrypted for stack 'stackyard/sec/b'" });
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    assert.equal((await api.post(`${a}/batch-decrypt`, { ciphertexts: [bytes.toString('base64')] })).status, 400);
    const notBase64 = await api.post(`${a}/encrypt`, { plaintext: 'not base64!' });
    assert.deepEqual(notBase64.body, { code: 400, message: 'Bad Request: plaintext must be base64' });
    assert.equal((await api.post(`${a}/encrypt`, { plaintext: 5 })).status, 400);
  });

  it('keeps ciphertexts decryptable after the stack is renamed and transferred', async () => {
    await createStack(api, 'stackyard', 'sec', 'moving');
    const { ciphertext } = (await api.post('/api/stacks/stackyard/sec/moving/encrypt', { plaintext: b64('portable') })).body;
    await api.post('/api/stacks/stackyard/sec/moving/rename', { newName: 'moved', newProject: 'sec2' });
    assert.deepEqual((await api.post('/api/stacks/stackyard/sec2/moved/decrypt', { ciphertext })).body, { plaintext: b64('portable') });
    await createOrganization(server, 'secret-org', 'admin');
    await api.post('/api/stacks/stackyard/sec2/moved/transfer', { toOrg: 'secret-org' });
    assert.deepEqual((await api.post('/api/stacks/secret-org/sec2/moved/decrypt', { ciphertext })).body, { plaintext: b64('portable') });
  });

  it('accepts the CLI’s reveal notices, and checks the caller like every call', async () => {
    assert.equal((await api.post(`${a}/decrypt/log-decryption`, { secretName: 'dbPassword' })).status, 204);
    assert.equal((await api.post(`${a}/decrypt/log-batch-decryption`, { commandName: 'pulumi stack output' })).status, 204);
    const outsider = await createUser(server, 'secrets-outsider');
    assert.equal((await api.post(`${a}/decrypt/log-decryption`, {}, { token: outsider })).status, 404);
    assert.equal((await api.post(`${a}/encrypt`, { plaintext: b64('x') }, { token: outsider })).status, 404);
    assert.equal((await api.post(`${a}/decrypt`, { ciphertext: 'AA==' }, { token: null })).status, 401);
    assert.equal((await api.post('/api/stacks/stackyard/sec/none/encrypt', { plaintext: b64('x') })).status, 404);
  });
});

describe('the master key', () => {
  it('is generated once into the data directory with mode 0600 and reused after a restart', async () => {
    const keyFile = path.join(dataDir, 'master.key');
    const stat = fs.statSync(keyFile);
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal(Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64').length, 32);
    const { ciphertext } = (await api.post(`${a}/encrypt`, { plaintext: b64('survives restarts') })).body;
    const before = fs.readFileSync(keyFile, 'utf8');

    // A second server process over the same data directory reads the same key.
    const ctx = await createContext(parseConfig(['--data-dir', dataDir, ...(await databaseArgs(dataDir))], {}));
    try {
      const caller = await ctx.services.tokens.authenticate(server.adminToken, '127.0.0.1');
      const [plaintext] = await ctx.services.secrets.decrypt(caller!, { organization: 'stackyard', project: 'sec', stack: 'a' }, [ciphertext], false);
      assert.equal(text(plaintext!), 'survives restarts');
    } finally {
      await ctx.close();
    }
    assert.equal(fs.readFileSync(keyFile, 'utf8'), before);
  });

  it('stores only wrapped stack keys, which a different master key cannot open', async () => {
    const { ciphertext } = (await api.post(`${a}/encrypt`, { plaintext: b64('locked') })).body;
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    const ctx = await createContext(parseConfig(['--data-dir', dataDir, '--master-key', otherKey, ...(await databaseArgs(dataDir))], {}));
    try {
      const caller = await ctx.services.tokens.authenticate(server.adminToken, '127.0.0.1');
      await assert.rejects(
        ctx.services.secrets.decrypt(caller!, { organization: 'stackyard', project: 'sec', stack: 'a' }, [ciphertext], false),
        /does not open with the configured master key/,
      );
    } finally {
      await ctx.close();
    }
  });

  it('refuses a configured master key that is not 32 bytes of base64', async () => {
    await assert.rejects(
      createContext(parseConfig(['--data-dir', tempDir('badkey'), '--master-key', 'c2hvcnQ='], {})),
      /the master key in STACKYARD_MASTER_KEY must be 32 bytes, base64-encoded/,
    );
  });
});
