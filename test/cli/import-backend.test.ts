import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { inlineStack, loadProgram } from '../helpers/automation.js';
import { pulumiBinDir, PulumiCli, type CliResult } from '../helpers/cli.js';
import { databaseArgs } from '../helpers/database.js';
import { createOrganization } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startMinio, type MinioServer } from '../helpers/minio.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { parseBackendUrl } from '../../src/admin/import-backend/location.js';
import { BackendUnreadableError, openBackendSource } from '../../src/admin/import-backend/source.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/stackyard.js');
const passphrase = 'correct horse battery staple';
const shape = { groups: 1, perGroup: 3 };

let server: TestServer;
let api: ApiClient;
let minio: MinioServer;
let stateDir: string;
let s3Url: string;
let s3Env: Record<string, string>;
const clis: PulumiCli[] = [];
/** The file backend's own answers, keyed by `project/stack`, read before anything is imported. */
const diyAnswers = new Map<string, { history: Array<Record<string, unknown>>; outputs: unknown; cli: PulumiCli; env: Record<string, string> }>();

/** `stackyard admin import-backend` as an operator runs it, on the test server's database. */
async function importBackend(url: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const database = await databaseArgs(server.dataDir);
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [bin, 'admin', 'import-backend', url, '--data-dir', server.dataDir, '--public-url', server.url, ...database, ...args],
      // The AWS SDK's warning about Node.js 20 is not the command's to print.
      { env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** The real CLI with variables of its own (a backend URL, the passphrase, S3 credentials). */
function pulumi(cli: PulumiCli, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) =>
    execFile(
      path.join(pulumiBinDir(), 'pulumi'),
      ['--non-interactive', ...args],
      { cwd: cli.projectDir, env: { ...cli.env(), ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
}

async function ok(result: Promise<CliResult>): Promise<string> {
  const { code, stdout, stderr } = await result;
  assert.equal(code, 0, `exit ${code}\nstdout: ${stdout}\nstderr: ${stderr}`);
  return stdout;
}

/** Writes a stack to a DIY backend with the real CLI: a secret and a plain config value, then `steps`. */
async function writeDiyStack(backendUrl: string, project: string, stackName: string, env: Record<string, string>, steps: Array<'g1' | 'g2' | 'refresh'>) {
  const cli = new PulumiCli(backendUrl, '', project);
  clis.push(cli);
  const fullEnv = { ...env, PULUMI_CONFIG_PASSPHRASE: passphrase };
  const programs = { g1: await loadProgram({ generation: 1, ...shape }), g2: await loadProgram({ generation: 2, ...shape }) };
  const stack = await inlineStack(cli, stackName, programs.g1, fullEnv);
  await stack.setAllConfig({ dbPassword: { value: `secret of ${project}`, secret: true }, greeting: { value: 'hello' } });
  for (const step of steps) {
    const result = step === 'refresh' ? await stack.refresh() : await stack.up({ program: programs[step] });
    assert.equal(result.summary.result, 'succeeded');
  }
  const cliEnv = { ...fullEnv, PULUMI_BACKEND_URL: backendUrl };
  diyAnswers.set(`${project}/${stackName}`, {
    history: JSON.parse(await ok(pulumi(cli, ['stack', 'history', '--json', '--stack', stackName], cliEnv))),
    outputs: JSON.parse(await ok(pulumi(cli, ['stack', 'output', '--show-secrets', '--json', '--stack', stackName], cliEnv))),
    cli,
    env: cliEnv,
  });
}

/** A CLI logged in to Stackyard, in a project directory of its own (no stack config files in it). */
function stackyardCli(project: string): PulumiCli {
  const cli = new PulumiCli(server.url, server.adminToken, project);
  clis.push(cli);
  return cli;
}

const noS3Defaults = { endpoint: '', region: 'us-east-1', accessKeyId: '', secretAccessKey: '' };
const credentials = () => ({ accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });

const onStackyard = (extra: Record<string, string> = {}) => ({ PULUMI_BACKEND_URL: server.url, ...extra });

before(async () => {
  [server, minio] = await Promise.all([startTestServer(), startMinio()]);
  api = new ApiClient(server.url, server.adminToken);
  stateDir = tempDir('diy-state');
  await minio.createBucket('diy');
  s3Url = `s3://diy/states?endpoint=${minio.endpoint}&s3ForcePathStyle=true&region=us-east-1`;
  s3Env = { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey };
  // Two projects in a file:// backend and one in a MinIO bucket, written side by side.
  await Promise.all([
    writeDiyStack(`file://${stateDir}`, 'proj', 'dev', {}, ['g1', 'g2', 'refresh']),
    writeDiyStack(`file://${stateDir}`, 'proj2', 'prod', {}, ['g1', 'g2', 'g1']),
    writeDiyStack(s3Url, 'proj3', 'staging', s3Env, ['g1', 'g2']),
  ]);
});

after(async () => {
  for (const cli of clis) cli.cleanup();
  await Promise.all([server?.close(), minio?.stop()]);
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

/** What `pulumi stack history --json` shows that Stackyard must repeat: everything but the version, which the DIY backend leaves 0. */
const withoutVersion = (history: Array<Record<string, unknown>>) => history.map(({ version: _, ...rest }) => rest);

async function assertSameAnswers(org: string, project: string, stack: string, secretsEnv: Record<string, string>) {
  const diy = diyAnswers.get(`${project}/${stack}`)!;
  const cli = stackyardCli(project);
  const history = JSON.parse(await ok(pulumi(cli, ['stack', 'history', '--json', '--stack', `${org}/${project}/${stack}`], onStackyard())));
  assert.deepEqual(withoutVersion(history), withoutVersion(diy.history));
  assert.deepEqual(
    history.map((h: { version: number }) => h.version),
    diy.history.map((_, i) => diy.history.length - i),
  );
  const outputs = JSON.parse(await ok(pulumi(cli, ['stack', 'output', '--show-secrets', '--json', '--stack', `${org}/${project}/${stack}`], onStackyard(secretsEnv))));
  assert.deepEqual(outputs, diy.outputs);
}

describe('stackyard admin import-backend', () => {
  it('imports every stack of a file:// backend with its whole history', async () => {
    const result = await importBackend(`file://${stateDir}`, ['--org', server.org]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'imported 2 stacks (6 versions), skipped 0, failed 0\n');
    assert.equal(result.stderr, 'importing 2 stacks\n[1/2] imported proj/dev (3 versions)\n[2/2] imported proj2/prod (3 versions)\n');
  });

  it('answers stack history and stack output --show-secrets as the file backend did', async () => {
    await assertSameAnswers(server.org, 'proj', 'dev', { PULUMI_CONFIG_PASSPHRASE: passphrase });
    await assertSameAnswers(server.org, 'proj2', 'prod', { PULUMI_CONFIG_PASSPHRASE: passphrase });
  });

  it('exports each version as the checkpoint its update saved, the passphrase provider kept', async () => {
    const historyDir = path.join(stateDir, '.pulumi/history/proj/dev');
    const checkpoints = fs.readdirSync(historyDir).filter((f) => f.endsWith('.checkpoint.json')).sort();
    assert.equal(checkpoints.length, 3);
    for (const [index, file] of checkpoints.entries()) {
      const saved = JSON.parse(fs.readFileSync(path.join(historyDir, file), 'utf8'));
      const exported = await api.get(`/api/stacks/${server.org}/proj/dev/export/${index + 1}`);
      assert.equal(exported.status, 200);
      assert.deepEqual(exported.body, { version: saved.version, deployment: saved.checkpoint.latest });
      assert.equal(exported.body.deployment.secrets_providers.type, 'passphrase');
    }
    const updates = await api.get(`/api/stacks/${server.org}/proj/dev/updates?output-type=service`);
    assert.deepEqual(
      updates.body.updates.map((u: { info: Record<string, any>; requestedBy: { githubLogin: string } }) => [
        u.info.version,
        u.info.kind,
        u.info.result,
        u.info.config['proj:greeting'],
        u.info.config['proj:dbPassword'].secret,
        u.requestedBy.githubLogin,
      ]),
      [
        [3, 'refresh', 'succeeded', { string: 'hello', secret: false, object: false }, true, 'admin'],
        [2, 'update', 'succeeded', { string: 'hello', secret: false, object: false }, true, 'admin'],
        [1, 'update', 'succeeded', { string: 'hello', secret: false, object: false }, true, 'admin'],
      ],
    );
  });

  it('records the import in the audit log', async () => {
    const events = await api.get(`/api/orgs/${server.org}/auditlogs?eventFilter=stack-imported`);
    assert.deepEqual(
      events.body.auditLogEvents.map((e: { description: string; user: { githubLogin: string } }) => [e.description, e.user.githubLogin]).sort(),
      [
        [`Imported stack "proj/dev" with 3 versions of history from the DIY backend file://${stateDir}`, 'admin'],
        [`Imported stack "proj2/prod" with 3 versions of history from the DIY backend file://${stateDir}`, 'admin'],
      ],
    );
  });

  it('runs pulumi up on the imported stack, whose history goes on', async () => {
    const cli = stackyardCli('proj');
    // The stack's config file stays with its project, as when changing backends by hand.
    fs.copyFileSync(path.join(diyAnswers.get('proj/dev')!.cli.projectDir, 'Pulumi.dev.yaml'), path.join(cli.projectDir, 'Pulumi.dev.yaml'));
    const stack = await inlineStack(cli, `${server.org}/proj/dev`, await loadProgram({ generation: 1, ...shape }), { PULUMI_CONFIG_PASSPHRASE: passphrase });
    const result = await stack.up();
    assert.equal(result.summary.result, 'succeeded');
    assert.ok((result.summary.resourceChanges?.create ?? 0) > 0, 'generation 1 brings back what generation 2 deleted');
    const history = JSON.parse(await ok(pulumi(cli, ['stack', 'history', '--json', '--stack', `${server.org}/proj/dev`], onStackyard())));
    assert.deepEqual(
      history.map((h: { version: number; kind: string }) => [h.version, h.kind]),
      [[4, 'update'], [3, 'refresh'], [2, 'update'], [1, 'update']],
    );
    const outputs = (await stack.outputs()) as Record<string, { value: unknown }>;
    assert.equal(outputs['dbPassword']?.value, 'secret of proj');
  });

  it('skips every stack on a second run', async () => {
    const result = await importBackend(`file://${stateDir}`, ['--org', server.org]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'imported 0 stacks (0 versions), skipped 2, failed 0\n');
    assert.match(result.stderr, /\[1\/2\] skipped proj\/dev: it already exists in the organization\n/);
  });

  it('re-encrypts passphrase secrets as service secrets with --reencrypt-secrets, after refusing a wrong passphrase', async () => {
    await createOrganization(server, 'moved', 'admin');
    const wrong = await importBackend(`file://${stateDir}`, ['--org', 'moved', '--reencrypt-secrets'], { PULUMI_CONFIG_PASSPHRASE: 'not it' });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, 'imported 0 stacks (0 versions), skipped 0, failed 2\n');
    assert.match(wrong.stderr, /failed proj\/dev: its secrets cannot be re-encrypted: incorrect passphrase/);
    assert.equal((await api.get('/api/stacks/moved/proj/dev')).status, 404, 'a failed stack leaves nothing behind');

    const passphraseFile = path.join(tempDir('passphrase'), 'phrase');
    fs.writeFileSync(passphraseFile, `${passphrase}\n`);
    const result = await importBackend(`file://${stateDir}`, ['--org', 'moved', '--reencrypt-secrets'], { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile });
    fs.rmSync(path.dirname(passphraseFile), { recursive: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'imported 2 stacks (6 versions), skipped 0, failed 0\n');
    // Per version: 4 outputs (firstLabel, dbPassword, apiKey, and the thing's label); in history, the one secret config value.
    assert.match(result.stderr, /\[1\/2\] imported proj\/dev \(3 versions, \d+ secrets re-encrypted\)/);

    for (const version of [1, 2, 3]) {
      const exported = await api.get(`/api/stacks/moved/proj/dev/export/${version}`);
      assert.deepEqual(exported.body.deployment.secrets_providers, {
        type: 'service',
        state: { url: server.url, owner: 'moved', project: 'proj', stack: 'dev' },
      });
      assert.doesNotMatch(exported.text, /"v1:/);
    }
    const updates = await api.get('/api/stacks/moved/proj/dev/updates');
    for (const update of updates.body.updates) assert.doesNotMatch(update.config['proj:dbPassword'].string, /^v1:/);
    const decrypted = await api.post('/api/stacks/moved/proj/dev/decrypt', { ciphertext: updates.body.updates[0].config['proj:dbPassword'].string });
    assert.equal(Buffer.from(decrypted.body.plaintext, 'base64').toString(), 'secret of proj');

    // No passphrase and no stack config file: the service decrypts.
    const cli = stackyardCli('proj');
    const outputs = JSON.parse(await ok(pulumi(cli, ['stack', 'output', '--show-secrets', '--json', '--stack', 'moved/proj/dev'], onStackyard())));
    assert.deepEqual(outputs, diyAnswers.get('proj/dev')!.outputs);
  });

  it('imports from an s3:// bucket (MinIO), with the CLI URL parameters and AWS credentials', async () => {
    const result = await importBackend(s3Url, ['--org', server.org], s3Env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'imported 1 stack (2 versions), skipped 0, failed 0\n');
    await assertSameAnswers(server.org, 'proj3', 'staging', { PULUMI_CONFIG_PASSPHRASE: passphrase });
  });

  it('refuses what it cannot read with a message and exit code 1', async () => {
    // More refusals (URLs, layouts) are checked without a process in test/unit/import-backend.test.ts.
    const empty = tempDir('not-a-backend');
    const cases: Array<[string, string[], string]> = [
      ['gs://bucket', ['--org', server.org], "stackyard: import-backend reads file:// and s3:// backends, not gs://; expected a DIY backend URL: 'file://<dir>' or 's3://<bucket>[/<prefix>][?region=…&endpoint=…&s3ForcePathStyle=true]'\n"],
      [`file://${stateDir}`, ['--org', 'nowhere'], "stackyard: Not Found: organization 'nowhere' not found; create it first (stackyard admin create-org nowhere)\n"],
      [`file://${empty}`, ['--org', server.org], `stackyard: no Pulumi state in file://${empty}: it has neither .pulumi/meta.yaml nor .pulumi/stacks/\n`],
    ];
    try {
      for (const [url, args, message] of cases) {
        const result = await importBackend(url, args);
        assert.deepEqual([result.code, result.stdout, result.stderr], [1, '', message], url);
      }
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    const missingBucket = await openBackendSource(parseBackendUrl(`s3://missing-bucket?endpoint=${minio.endpoint}`, { ...noS3Defaults, ...credentials() }));
    await assert.rejects(missingBucket.check(), new BackendUnreadableError('cannot read s3://missing-bucket: no such bucket'));
    missingBucket.close();
  });

  it('fails a stack whose checkpoint is corrupt and imports the others: gzip, and the layout without projects', async () => {
    await createOrganization(server, 'hostile', 'admin');
    const dir = tempDir('diy-hostile');
    try {
      // Layout version 0 (no meta.yaml): `.pulumi/stacks/<stack>.json`, the project named only by URNs.
      const copy = (from: string, to: string, gzip = false) => {
        fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
        const bytes = fs.readFileSync(path.join(stateDir, from));
        fs.writeFileSync(path.join(dir, to), gzip ? zlib.gzipSync(bytes) : bytes);
      };
      copy('.pulumi/stacks/proj/dev.json', '.pulumi/stacks/dev.json.gz', true);
      for (const file of fs.readdirSync(path.join(stateDir, '.pulumi/history/proj/dev'))) {
        if (!file.endsWith('.attrs')) copy(`.pulumi/history/proj/dev/${file}`, `.pulumi/history/dev/${file}`);
      }
      copy('.pulumi/stacks/proj2/prod.json', '.pulumi/stacks/prod.json');
      const prodHistory = fs.readdirSync(path.join(stateDir, '.pulumi/history/proj2/prod')).filter((f) => !f.endsWith('.attrs')).sort();
      for (const file of prodHistory) copy(`.pulumi/history/proj2/prod/${file}`, `.pulumi/history/prod/${file}`);
      const corrupt = prodHistory.find((f) => f.endsWith('.checkpoint.json'))!;
      fs.writeFileSync(path.join(dir, '.pulumi/history/prod', corrupt), '{"version":3,"checkpoint":{"latest":');
      fs.writeFileSync(path.join(dir, '.pulumi/stacks/dev.json.bak'), 'not a stack');

      const result = await importBackend(`file://${dir}`, ['--org', 'hostile']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, 'imported 1 stack (3 versions), skipped 0, failed 1\n');
      assert.match(result.stderr, /\[1\/2\] imported proj\/dev \(3 versions\)\n/);
      assert.match(result.stderr, new RegExp(`\\[2/2\\] failed prod: \\.pulumi/history/prod/${corrupt.replaceAll('.', '\\.')} is not JSON: `));
      assert.equal((await api.get('/api/stacks/hostile/proj2/prod')).status, 404);
      const history = await api.get('/api/stacks/hostile/proj/dev/updates');
      assert.deepEqual(
        history.body.updates.map((u: { version: number; kind: string }) => [u.version, u.kind]),
        [[3, 'refresh'], [2, 'update'], [1, 'update']],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
