import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, describe, it } from 'node:test';
import { decode, goJson, listDiyStacks, parseCheckpoint, parseHistoryRecord, readDiyStack, wireConfig, type DiyStack } from '../../src/admin/import-backend/diy.js';
import { parseBackendUrl } from '../../src/admin/import-backend/location.js';
import { PassphraseCrypter, PassphraseError } from '../../src/admin/import-backend/passphrase.js';
import { progressBar, summaryLine } from '../../src/admin/import-backend/progress.js';
import { reencryptConfig, reencryptDeployment } from '../../src/admin/import-backend/reencrypt.js';
import { planVersions } from '../../src/admin/import-backend/service.js';
import { BackendUnreadableError, openBackendSource } from '../../src/admin/import-backend/source.js';

const noDefaults = { endpoint: '', region: 'us-east-1', accessKeyId: '', secretAccessKey: '' };
const sig = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270' };
const dirs: string[] = [];
after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A DIY backend directory holding `files` (path → text or bytes), each written at `mtime` seconds when given. */
function backendDir(files: Record<string, string | Buffer | { bytes: string | Buffer; mtime: number }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackyard-diy-unit-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { bytes, mtime } = typeof content === 'string' || Buffer.isBuffer(content) ? { bytes: content, mtime: undefined } : content;
    fs.writeFileSync(file, bytes);
    if (mtime !== undefined) fs.utimesSync(file, mtime, mtime);
  }
  return dir;
}

const source = (dir: string) => openBackendSource({ kind: 'file', dir });
const deploymentText = (resources: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ manifest: { time: 't', magic: '', version: 'v' }, resources, ...extra });
const stackResource = (project: string, stack: string) => ({ urn: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`, type: 'pulumi:pulumi:Stack', custom: false });
const checkpointText = (latest: string | undefined) => `{"version":3,"checkpoint":{"stack":"organization/p/dev"${latest === undefined ? '' : `,"latest":${latest}`}}}`;
const record = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'update', startTime: 100, message: 'm', environment: { 'exec.kind': 'cli' }, config: {}, version: 0, result: 'succeeded', endTime: 110, ...extra });

describe('parseBackendUrl', () => {
  it('reads file:// paths as the CLI does: query dropped, ~ and relative paths resolved', () => {
    assert.deepEqual(parseBackendUrl('file:///srv/state?no_tmp_dir=true', noDefaults), { kind: 'file', dir: '/srv/state' });
    assert.deepEqual(parseBackendUrl('file://~/state', noDefaults), { kind: 'file', dir: path.join(os.homedir(), 'state') });
    assert.deepEqual(parseBackendUrl('file://state', noDefaults), { kind: 'file', dir: path.resolve('state') });
    assert.throws(() => parseBackendUrl('file://', noDefaults), /'file:\/\/' names no directory/);
  });

  it('reads s3:// URLs with the parameters the CLI gives gocloud.dev, v1 names included', () => {
    assert.deepEqual(parseBackendUrl('s3://states/team/a/?region=eu-west-1&endpoint=minio:9000&disableSSL=true&s3ForcePathStyle=false&awssdk=v2', noDefaults), {
      kind: 's3',
      bucket: 'states',
      prefix: 'team/a',
      client: { region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: false, tls: false },
    });
    assert.deepEqual(parseBackendUrl('s3://states?endpoint=https://s3.example.com&use_path_style=true&profile=ops&response_checksum_validation=when_required', noDefaults), {
      kind: 's3',
      bucket: 'states',
      prefix: '',
      client: { profile: 'ops', responseChecksumValidation: 'WHEN_REQUIRED', region: 'us-east-1', endpoint: 'https://s3.example.com', forcePathStyle: true },
    });
  });

  it("takes Stackyard's --s3-* options as defaults; an endpoint is addressed path-style unless the URL says", () => {
    const defaults = { endpoint: 'http://minio:9000', region: 'eu-central-1', accessKeyId: 'k', secretAccessKey: 's' };
    assert.deepEqual(parseBackendUrl('s3://states', defaults), {
      kind: 's3',
      bucket: 'states',
      prefix: '',
      client: { region: 'eu-central-1', endpoint: 'http://minio:9000', forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
    });
    assert.deepEqual(parseBackendUrl('s3://states?region=us-west-2', noDefaults), {
      kind: 's3',
      bucket: 'states',
      prefix: '',
      client: { region: 'us-west-2', forcePathStyle: false },
    });
    assert.throws(() => parseBackendUrl('s3://states', { ...noDefaults, accessKeyId: 'k' }), /go together/);
  });

  it('refuses other schemes, unknown parameters and bad values, saying what it reads', () => {
    const cases: Array<[string, RegExp]> = [
      ['gs://bucket', /^import-backend reads file:\/\/ and s3:\/\/ backends, not gs:\/\//],
      ['azblob://container', /not azblob:\/\//],
      ['/srv/state', /^'\/srv\/state' is not a DIY backend URL: 'file:\/\/<dir>' or 's3:\/\/<bucket>/],
      ['s3://states?bogus=1', /^unknown query parameter "bogus" in 's3:\/\/states'$/],
      ['s3://states?s3ForcePathStyle=maybe', /^invalid value for query parameter "s3ForcePathStyle": 'maybe' is not a boolean$/],
      ['s3://states?role=arn:aws:iam::1:role/x', /^query parameter "role" is not supported by import-backend$/],
      ['s3://states?endpoint=http://minio:9000/path', /must be an http\(s\) URL with no path/],
      ['s3://states?request_checksum_calculation=always', /when_supported or when_required/],
      ['s3:///prefix', /is not a DIY backend URL/],
    ];
    for (const [url, message] of cases) assert.throws(() => parseBackendUrl(url, noDefaults), { message }, url);
  });
});

describe('PassphraseCrypter', () => {
  it('opens a state only with its passphrase, and round-trips values in the v1 format', async () => {
    const { state } = await PassphraseCrypter.create('right');
    assert.match(state, /^v1:[A-Za-z0-9+/]{11}=:v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    const crypter = await PassphraseCrypter.open('right', state);
    const value = crypter.encrypt(Buffer.from('"hunter2"'));
    assert.match(value, /^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    assert.equal(crypter.decrypt(value).toString(), '"hunter2"');
    await assert.rejects(PassphraseCrypter.open('wrong', state), new PassphraseError('incorrect passphrase'));
    await assert.rejects(PassphraseCrypter.open('right', 'salt'), /is not 'v1:<salt>:<check>'/);
    assert.throws(() => crypter.decrypt('v2:a:b'), /not a passphrase ciphertext/);
    assert.throws(() => crypter.decrypt(`${value.slice(0, -4)}AAA=`), /does not decrypt with the passphrase/);
  });
});

describe('parseCheckpoint', () => {
  it("keeps the deployment's bytes as they are and counts its resources", () => {
    const latest = `{ "manifest": {"time":"t"},\n "resources": [${JSON.stringify(stackResource('web', 'dev'))}], "secrets_providers": {"type":"passphrase","state":{"salt":"v1:x:y"}} }`;
    const parsed = parseCheckpoint(Buffer.from(checkpointText(latest)), 'f');
    assert.equal(parsed?.bytes.toString(), `{"version":3,"deployment":${latest}}`);
    assert.equal(parsed?.resourceCount, 1);
    assert.equal(parsed?.urnProject, 'web');
    assert.deepEqual(parsed?.secretsProvider, { type: 'passphrase', state: { salt: 'v1:x:y' } });
  });

  it('reads versions 1 to 4 and unversioned checkpoints; features only from version 4', () => {
    const latest = deploymentText([]);
    const v4 = parseCheckpoint(Buffer.from(`{"version":4,"features":["refreshBeforeUpdate"],"checkpoint":{"latest":${latest}}}`), 'f');
    assert.equal(v4?.bytes.toString(), `{"version":4,"features":["refreshBeforeUpdate"],"deployment":${latest}}`);
    const v2 = parseCheckpoint(Buffer.from(`{"version":2,"features":["x"],"checkpoint":{"latest":${latest}}}`), 'f');
    assert.equal(v2?.bytes.toString(), `{"version":2,"deployment":${latest}}`);
    const unversioned = parseCheckpoint(Buffer.from(`{"stack":"dev","latest":${latest}}`), 'f');
    assert.equal(unversioned?.bytes.toString(), `{"version":1,"deployment":${latest}}`);
    assert.equal(parseCheckpoint(Buffer.from(checkpointText(undefined)), 'f'), undefined);
    assert.equal(parseCheckpoint(Buffer.from(checkpointText('null')), 'f'), undefined);
  });

  it('refuses what the CLI could not read back, naming the file', () => {
    assert.throws(() => parseCheckpoint(Buffer.from('{"version":3,"checkpoint":{"latest":'), 'a.json'), /^Error: a\.json is not JSON: /);
    assert.throws(() => parseCheckpoint(Buffer.from('[]'), 'a.json'), /a\.json: a checkpoint must be a JSON object/);
    assert.throws(() => parseCheckpoint(Buffer.from('{"version":9,"checkpoint":{}}'), 'a.json'), /a\.json: unsupported checkpoint version 9/);
    assert.throws(() => parseCheckpoint(Buffer.from('{"version":3,"checkpoint":"x"}'), 'a.json'), /'checkpoint' must be a JSON object/);
    assert.throws(
      () => parseCheckpoint(Buffer.from(`{"version":4,"features":["warp"],"checkpoint":{"latest":${deploymentText([])}}}`), 'a.json'),
      /a\.json: this stack's deployment needs support for the following features, which no Pulumi CLI reads: warp/,
    );
    assert.throws(() => parseCheckpoint(Buffer.from('{"version":3,"checkpoint":{"latest":{"resources":{}}}}'), 'a.json'), /'resources' field must be an array/);
  });
});

describe('parseHistoryRecord and wireConfig', () => {
  it("turns an UpdateInfo's config.Map into the values the CLI sends the service", () => {
    const parsed = parseHistoryRecord(
      Buffer.from(
        record({
          config: {
            'p:plain': 'hello',
            'p:number': 42,
            'p:flag': true,
            'p:password': { secure: 'v1:a:b' },
            'p:object': { z: [1, { secure: 'v1:c:d' }], a: '<&>' },
            'p:none': null,
          },
          resourceChanges: { create: 2 },
        }),
      ),
      'h.json',
    );
    assert.deepEqual(parsed, {
      kind: 'update',
      startTime: 100,
      endTime: 110,
      result: 'succeeded',
      message: 'm',
      environment: { 'exec.kind': 'cli' },
      config: Object.assign(Object.create(null), {
        'p:plain': { string: 'hello', secret: false, object: false },
        'p:number': { string: '42', secret: false, object: false },
        'p:flag': { string: 'true', secret: false, object: false },
        'p:password': { string: 'v1:a:b', secret: true, object: false },
        'p:object': { string: '{"a":"\\u003c\\u0026\\u003e","z":[1,{"secure":"v1:c:d"}]}', secret: true, object: true },
        'p:none': { string: 'null', secret: false, object: true },
      }),
      resourceChanges: { create: 2 },
      key: 'h.json',
    });
    assert.equal(goJson({ b: 1, a: '\u2028' }), '{"a":"\\u2028","b":1}');
  });

  it('refuses records no ended update writes', () => {
    assert.throws(() => parseHistoryRecord(Buffer.from(record({ kind: 'teleport' })), 'h.json'), /h\.json: unknown update kind "teleport"/);
    assert.throws(() => parseHistoryRecord(Buffer.from(record({ result: 'in-progress' })), 'h.json'), /result "in-progress" is not one an ended update has/);
    assert.throws(() => parseHistoryRecord(Buffer.from(record({ startTime: '100' })), 'h.json'), /startTime and endTime must be whole numbers/);
    assert.throws(() => parseHistoryRecord(Buffer.from(record({ environment: { a: 1 } })), 'h.json'), /environment must map names to strings/);
    assert.throws(() => parseHistoryRecord(Buffer.from(record({ resourceChanges: { create: 'two' } })), 'h.json'), /resourceChanges must map/);
    assert.equal(wireConfig({}).constructor, undefined, 'no prototype: any key is data');
  });
});

describe('decode', () => {
  it('undoes gzip by its magic bytes, whatever the name says, and leaves plain bytes alone', () => {
    assert.equal(decode(zlib.gzipSync('{"a":1}'), 'x.json').toString(), '{"a":1}');
    assert.equal(decode(Buffer.from('{"a":1}'), 'x.json.gz').toString(), '{"a":1}');
    assert.throws(() => decode(Buffer.from([0x1f, 0x8b, 0x08, 0, 1]), 'x.json.gz'), /x\.json\.gz: not valid gzip/);
  });

  it('reads zstd where Node.js can, and says what it needs where it cannot', () => {
    const zstd = zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer };
    if (zstd.zstdCompressSync) assert.equal(decode(zstd.zstdCompressSync(Buffer.from('{"a":1}')), 'x.json.zst').toString(), '{"a":1}');
    else assert.throws(() => decode(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]), 'x.json.zst'), /x\.json\.zst is zstd-compressed; reading zstd needs Node\.js 22\.15 or later/);
  });
});

describe('listDiyStacks and readDiyStack', () => {
  it('lists the stack files of layout version 1, the newest variant of each, nothing else', async () => {
    const latest = deploymentText([stackResource('web', 'dev')]);
    const dir = backendDir({
      '.pulumi/meta.yaml': 'version: 1\n',
      '.pulumi/stacks/web/dev.json': { bytes: checkpointText(deploymentText([])), mtime: 1000 },
      '.pulumi/stacks/web/dev.json.gz': { bytes: zlib.gzipSync(checkpointText(latest)), mtime: 2000 },
      '.pulumi/stacks/web/dev.json.bak': 'x',
      '.pulumi/stacks/web/dev.json.1700000000': 'retained checkpoint',
      '.pulumi/stacks/web/dev.pulumi-tags': '{"version":1,"tags":{"owner":"ops"}}',
      '.pulumi/stacks/web/nested/too-deep.json': 'x',
      '.pulumi/stacks/top-level.json': 'x',
      '.pulumi/stacks/web/dev.json.attrs': '{}',
      '.pulumi/locks/web/dev/lock.json': '{}',
    });
    const listing = await listDiyStacks(await source(dir));
    assert.deepEqual(listing, { layout: 1, stacks: [{ project: 'web', name: 'dev', key: '.pulumi/stacks/web/dev.json.gz', modified: 2_000_000 }] });
    const stack = await readDiyStack(await source(dir), 1, listing.stacks[0]!);
    assert.equal(stack.project, 'web');
    assert.deepEqual(stack.tags, { owner: 'ops' });
    assert.equal(stack.current?.bytes.toString(), `{"version":3,"deployment":${latest}}`);
    assert.deepEqual(stack.history, []);
  });

  it('reads the layout without projects when meta.yaml is missing, the project from the URNs or --project', async () => {
    const withResources = checkpointText(deploymentText([stackResource('web', 'dev')]));
    const dir = backendDir({
      '.pulumi/stacks/dev.json': withResources,
      '.pulumi/stacks/empty.json': checkpointText(deploymentText([])),
      '.pulumi/history/dev/dev-1700000000000000001.history.json': record(),
      '.pulumi/history/dev/dev-1700000000000000001.checkpoint.json': zlib.gzipSync(withResources),
      '.pulumi/history/dev/dev-1700000000000000002.history.json.gz': zlib.gzipSync(record({ kind: 'refresh' })),
    });
    const listing = await listDiyStacks(await source(dir));
    assert.deepEqual(
      listing.stacks.map((s) => [s.project, s.name]),
      [
        [undefined, 'dev'],
        [undefined, 'empty'],
      ],
    );
    const dev = await readDiyStack(await source(dir), 0, listing.stacks[0]!);
    assert.equal(dev.project, 'web');
    assert.deepEqual(
      dev.history.map((h) => [h.kind, h.deployment?.resourceCount]),
      [
        ['update', 1],
        ['refresh', undefined],
      ],
    );
    await assert.rejects(readDiyStack(await source(dir), 0, listing.stacks[1]!), /\.pulumi\/stacks\/empty\.json is in the layout without projects and its state names none; pass --project/);
    assert.equal((await readDiyStack(await source(dir), 0, listing.stacks[1]!, 'named')).project, 'named');
  });

  it('takes layout version 1 without meta.yaml when no stack is in the layout without projects, as the CLI does', async () => {
    const dir = backendDir({ '.pulumi/stacks/web/dev.json': checkpointText(deploymentText([])) });
    assert.deepEqual(
      (await listDiyStacks(await source(dir))).stacks.map((s) => [s.project, s.name]),
      [['web', 'dev']],
    );
  });

  it('refuses a store it cannot make sense of', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /^no Pulumi state in file:\/\/.*: it has neither \.pulumi\/meta\.yaml nor \.pulumi\/stacks\/$/],
      [{ '.pulumi/meta.yaml': 'version: 2\n' }, /meta\.yaml says layout version 2; this import reads versions 0 and 1$/],
      [{ '.pulumi/meta.yaml': 'colour: blue\n' }, /^corrupt store: .*meta\.yaml has no version$/],
      [{ '.pulumi/meta.yaml': 'version: [\n' }, /^corrupt store: .*meta\.yaml: /],
    ];
    for (const [files, message] of cases) {
      await assert.rejects(listDiyStacks(await source(backendDir(files))), (error: Error) => error instanceof BackendUnreadableError && message.test(error.message));
    }
    const missing = await source(path.join(os.tmpdir(), 'stackyard-no-such-dir'));
    await assert.rejects(missing.check(), /cannot read the state directory .*stackyard-no-such-dir: it does not exist/);
  });
});

describe('planVersions', () => {
  const deployment = (text: string) => ({ bytes: Buffer.from(text), resourceCount: 0 });
  const history = (texts: Array<string | undefined>) =>
    texts.map((text, i) => ({ ...parseHistoryRecord(Buffer.from(record({ startTime: i })), `h${i}`), ...(text !== undefined && { deployment: deployment(text) }) }));
  const stack = (current: string | undefined, texts: Array<string | undefined>): DiyStack => ({
    project: 'p',
    name: 's',
    tags: {},
    modified: 5_000,
    history: history(texts),
    ...(current !== undefined && { current: deployment(current) }),
  });

  it('makes one version per update, and one more only when the state changed after the last one', () => {
    assert.equal(planVersions(stack('b', ['a', 'b']), 'file:///x').versions.length, 2);
    assert.equal(planVersions(stack('b', ['a', 'b', undefined]), 'file:///x').versions.length, 3);
    const changed = planVersions(stack('c', ['a', 'b']), 'file:///x');
    assert.deepEqual(
      changed.versions.map((v) => [v.record.kind, v.record.startTime, v.deployment?.bytes.toString()]),
      [
        ['update', 0, 'a'],
        ['update', 1, 'b'],
        ['import', 5, 'c'],
      ],
    );
    assert.equal(changed.versions[2]!.record.message, 'The state in file:///x when it was imported, changed since the last update of its history');
    const never = planVersions(stack('a', []), 'file:///x');
    assert.deepEqual([never.versions.length, never.initialState?.bytes.toString()], [0, 'a']);
  });
});

describe('re-encryption', () => {
  it('seals every secret of a deployment and of config with the service key, and names the service provider', async () => {
    const { state, crypter } = await PassphraseCrypter.create('pw');
    const secret = (plaintext: string) => ({ ...sig, ciphertext: crypter.encrypt(Buffer.from(plaintext)) });
    const latest = JSON.stringify({
      secrets_providers: { type: 'passphrase', state: { salt: state } },
      resources: [{ urn: 'u', outputs: { a: secret('"one"'), nested: [{ b: secret('2') }], plain: 'x' } }],
    });
    const seal = (plaintext: Buffer) => `sealed(${plaintext.toString()})`;
    const serviceState = { url: 'http://yard', owner: 'o', project: 'p', stack: 's' };
    const { deployment, secrets } = reencryptDeployment({ bytes: Buffer.from(`{"version":3,"deployment":${latest}}`), resourceCount: 1 }, crypter, seal, serviceState);
    assert.equal(secrets, 2);
    assert.deepEqual(JSON.parse(deployment.bytes.toString()), {
      version: 3,
      deployment: {
        secrets_providers: { type: 'service', state: serviceState },
        resources: [{ urn: 'u', outputs: { a: { ...sig, ciphertext: 'sealed("one")' }, nested: [{ b: { ...sig, ciphertext: 'sealed(2)' } }], plain: 'x' } }],
      },
    });
    assert.deepEqual(deployment.secretsProvider, { type: 'service', state: serviceState });

    const config = wireConfig({ 'p:a': 'plain', 'p:b': { secure: crypter.encrypt(Buffer.from('pw-b')) }, 'p:c': { x: { secure: crypter.encrypt(Buffer.from('pw-c')) } } });
    const rewritten = reencryptConfig(config, (c) => crypter.decrypt(c), seal);
    assert.equal(rewritten.secrets, 2);
    assert.deepEqual({ ...rewritten.config }, {
      'p:a': { string: 'plain', secret: false, object: false },
      'p:b': { string: 'sealed(pw-b)', secret: true, object: false },
      'p:c': { string: '{"x":{"secure":"sealed(pw-c)"}}', secret: true, object: true },
    });
  });
});

describe('progressBar', () => {
  const outcomes = [
    { stack: 'p/a', status: 'imported' as const, versions: 3, secrets: 0 },
    { stack: 'p/b', status: 'failed' as const, reason: 'broken' },
    { stack: 'p/c', status: 'imported' as const, versions: 1, secrets: 2 },
  ];

  it('writes one line per stack when stderr is not a terminal', () => {
    let text = '';
    const bar = progressBar({ write: (s: string) => (text += s) });
    bar.start(3);
    outcomes.forEach((o) => bar.stack(o));
    bar.finish();
    assert.equal(text, 'importing 3 stacks\n[1/3] imported p/a (3 versions)\n[2/3] failed p/b: broken\n[3/3] imported p/c (1 version, 2 secrets re-encrypted)\n');
  });

  it('redraws one line on a terminal, keeping failures above it', () => {
    let text = '';
    const bar = progressBar({ isTTY: true, columns: 60, write: (s: string) => (text += s) });
    bar.start(2);
    bar.stack(outcomes[0]!);
    bar.stack(outcomes[1]!);
    bar.finish();
    assert.equal(
      text,
      '\r\x1b[2K[------------------------] 0/2 stacks' +
        '\r\x1b[2K[############------------] 1/2 imported p/a (3 versions)' +
        '\r\x1b[2Kfailed p/b: broken\n' +
        '\r\x1b[2K[########################] 2/2 failed p/b: broken' +
        '\n',
    );
    assert.equal(summaryLine({ imported: 1, skipped: 2, failed: 0, versions: 1, outcomes: [] }), 'imported 1 stack (1 version), skipped 2, failed 0');
  });
});
