// Secrets at rest in environment definitions: Pulumi ESC's own crypt cases
// (../shared/esc-testdata/crypt, see its NOTICE), read in place and checked as Pulumi's
// crypt_test.go does, then our own cases. Expected texts are what ESC v0.25.0 writes for the same
// input, except where a test says otherwise.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  decodeCiphertext,
  decryptCiphertext,
  decryptSecrets,
  DefinitionError,
  encodeCiphertext,
  encryptSecret,
  encryptSecrets,
  InvalidCiphertextError,
  type Decrypter,
  type Encrypter,
} from '../../src/esc/crypt.js';
import { rot128 } from './helpers/rot128.js';
import { goldenData, requireGoldenCases } from './helpers/testdata.js';

const data = goldenData('crypt');
const { root } = data;
const cases = data.present ? fs.readdirSync(root).filter((name) => name.endsWith('.plaintext.yaml')).map((name) => name.slice(0, -'.plaintext.yaml'.length)).sort() : [];

describe('ESC golden cases: secrets at rest', { skip: data.skip }, () => {
  requireGoldenCases(data, cases);
  for (const name of cases) {
    it(name, async () => {
      const plaintext = fs.readFileSync(path.join(root, `${name}.plaintext.yaml`), 'utf8');
      const ciphertext = fs.readFileSync(path.join(root, `${name}.ciphertext.yaml`), 'utf8');
      const encrypted = await encryptSecrets(name, plaintext, rot128);
      assert.equal(encrypted, ciphertext);
      assert.equal(await decryptSecrets(name, encrypted, rot128), plaintext);
    });
  }
});

/** The envelope ESC stores for a plaintext under rot128. */
const sealed = (plaintext: string) => encryptSecret(Buffer.from(plaintext, 'utf8'), rot128);

const broken: Encrypter & Decrypter = {
  encrypt: async () => {
    throw new Error('broken');
  },
  decrypt: async () => {
    throw new Error('broken');
  },
};

/** An envelope with any magic, version and checksum, to break one part at a time. */
function envelope({ magic = 'escx', version = 1, checksum }: { magic?: string; version?: number; checksum?: number }): string {
  const body = Buffer.from('secret');
  const bytes = Buffer.alloc(8 + body.length + 4);
  bytes.write(magic, 0, 'latin1');
  bytes.writeUInt32BE(version, 4);
  body.copy(bytes, 8);
  bytes.writeUInt32BE(checksum ?? crc32(bytes.subarray(0, -4)), bytes.length - 4);
  return bytes.toString('base64');
}

describe('ciphertext envelope', () => {
  it('is "escx", version 1, the ciphertext and a CRC-32, in base64', async () => {
    // The value of trivia.ciphertext.yaml: hunter2 under rot128.
    assert.equal(await sealed('hunter2'), 'ZXNjeAAAAAHo9e705fKyKo30VQ==');
    const bytes = Buffer.from('ZXNjeAAAAAHo9e705fKyKo30VQ==', 'base64');
    assert.equal(bytes.subarray(0, 4).toString(), 'escx');
    assert.equal(bytes.readUInt32BE(4), 1);
    assert.equal(bytes.readUInt32BE(bytes.length - 4), crc32(bytes.subarray(0, -4)));
  });

  it('round-trips any ciphertext', async () => {
    const ciphertext = Buffer.from([0, 1, 2, 250, 255, 128, 7]);
    assert.deepEqual(decodeCiphertext(encodeCiphertext(ciphertext).toString('base64')), ciphertext);
    assert.equal((await decryptCiphertext(await sealed('hunter2'), rot128)).toString(), 'hunter2');
  });

  it('rejects base64 Go would reject, naming the byte', () => {
    assert.throws(() => decodeCiphertext('********'), { message: 'illegal base64 data at input byte 0' });
    assert.throws(() => decodeCiphertext('aGVsbG8'), { message: 'illegal base64 data at input byte 4' });
    assert.throws(() => decodeCiphertext('aGVsbG8=x'), { message: 'illegal base64 data at input byte 8' });
  });

  it('rejects an envelope shorter than 16 bytes as EOF', () => {
    assert.throws(() => decodeCiphertext(Buffer.from('escx').toString('base64')), { message: 'EOF' });
    // ESC's ciphertext-invalid evaluator case.
    assert.throws(() => decodeCiphertext('hunter23'), { message: 'EOF' });
  });

  it('rejects a wrong magic, then a bad checksum, then a wrong version', () => {
    assert.throws(() => decodeCiphertext(envelope({ magic: 'xcse' })), { message: 'invalid header' });
    assert.throws(() => decodeCiphertext(envelope({ checksum: 12345 })), { message: 'invalid checksum' });
    assert.throws(() => decodeCiphertext(envelope({ version: 2 })), { message: 'unsupported version' });
    assert.throws(() => decodeCiphertext(envelope({ version: 2, checksum: 12345 })), { message: 'invalid checksum' });
  });

  it('reports a malformed envelope as invalid ciphertext, and passes decrypter errors through', async () => {
    await assert.rejects(decryptCiphertext('hunter23', rot128), (error: unknown) => {
      assert.ok(error instanceof InvalidCiphertextError);
      assert.equal(error.message, 'invalid ciphertext\nEOF');
      assert.equal(error.reason.message, 'EOF');
      return true;
    });
    await assert.rejects(decryptCiphertext(await sealed('hunter2'), broken), { message: 'broken' });
  });
});

describe('encryptSecrets and decryptSecrets', () => {
  it('rewrites every plaintext secret, keeping comments and everything else', async () => {
    const plaintext = `# An environment
imports:
  - base # the base
values:
  # the database
  db:
    password:
      fn::secret: hunter2 # rotated monthly
    hosts:
      - fn::secret: first-host
      - plain-host
    flow: {token: {'fn::secret': flow-token}, list: [{'fn::secret': in-a-list}]}
    nested:
      fn::secret:
        fn::secret: inner-one
  sealed:
    fn::secret:
      ciphertext: ${await sealed('already')}
  notStrings:
    number: {'fn::secret': 42}
    array:
      fn::secret: [array]
    empty:
      fn::secret: null
  notACall:
    fn::secret: two keys
    other: value
`;
    const ciphertext = `# An environment
imports:
  - base # the base
values:
  # the database
  db:
    password:
      fn::secret:
        ciphertext: ${await sealed('hunter2')} # rotated monthly
    hosts:
      - fn::secret:
          ciphertext: ${await sealed('first-host')}
      - plain-host
    flow: {token: {'fn::secret': {ciphertext: ${await sealed('flow-token')}}}, list: [{'fn::secret': {ciphertext: ${await sealed('in-a-list')}}}]}
    nested:
      fn::secret:
        fn::secret:
          ciphertext: ${await sealed('inner-one')}
  sealed:
    fn::secret:
      ciphertext: ${await sealed('already')}
  notStrings:
    number: {'fn::secret': 42}
    array:
      fn::secret: [array]
    empty:
      fn::secret: null
  notACall:
    fn::secret: two keys
    other: value
`;
    assert.equal(await encryptSecrets('doc', plaintext, rot128), ciphertext);
    // Back to the plaintext, the secret that was sealed to begin with included.
    const opened = plaintext.replace(`fn::secret:\n      ciphertext: ${await sealed('already')}`, 'fn::secret: already');
    assert.equal(await decryptSecrets('doc', ciphertext, rot128), opened);
  });

  it('encrypts secrets anywhere but decrypts only those under values', async () => {
    const plaintext = 'other:\n  fn::secret: outside\nvalues:\n  inside:\n    fn::secret: inside\n';
    const encrypted = await encryptSecrets('doc', plaintext, rot128);
    assert.equal(encrypted, `other:\n  fn::secret:\n    ciphertext: ${await sealed('outside')}\nvalues:\n  inside:\n    fn::secret:\n      ciphertext: ${await sealed('inside')}\n`);
    assert.equal(await decryptSecrets('doc', encrypted, rot128), `other:\n  fn::secret:\n    ciphertext: ${await sealed('outside')}\nvalues:\n  inside:\n    fn::secret: inside\n`);
    // Not even looked at outside values (ESC's TestDecryptInvalidTopLevelKey).
    const invalid = 'invalid-top-level-key:\n  password:\n    fn::secret:\n      ciphertext: "invalid-ciphertext"\n';
    assert.equal(await decryptSecrets('doc', invalid, broken), invalid);
  });

  it('moves a block scalar header comment to the ciphertext, and drops tags', async () => {
    const plaintext = 'values:\n  key:\n    fn::secret: |  # a PEM key\n      line one\n      line two\n\n  tagged:\n    fn::secret: !!str hunter2\n';
    assert.equal(
      await encryptSecrets('doc', plaintext, rot128),
      `values:\n  key:\n    fn::secret:\n      ciphertext: ${await sealed('line one\nline two\n')} # a PEM key\n  tagged:\n    fn::secret:\n      ciphertext: ${await sealed('hunter2')}\n`,
    );
  });

  it('writes each decrypted plaintext as yaml.v3 would, in the place of the ciphertext', async () => {
    const cases: Array<[plaintext: string, block: string, flow: string]> = [
      ['hunter2', 'hunter2 # note', 'hunter2'],
      ['true', "'true' # note", "'true'"],
      ['4242', "'4242' # note", "'4242'"],
      ['null', '"null" # note', '"null"'],
      ['2001-12-14', '"2001-12-14" # note', '"2001-12-14"'],
      ['a: b', "'a: b' # note", "'a: b'"],
      [' lead', "' lead' # note", "' lead'"],
      ["it's", "it's # note", "it's"],
      ['line1\nline2', '|- # note\n      line1\n      line2', '"line1\\nline2"'],
      ['folded text\n', '| # note\n      folded text', '"folded text\\n"'],
      ['日本語のパスワード', '日本語のパスワード # note', '日本語のパスワード'],
      // yaml.v3 escapes characters outside the Basic Multilingual Plane.
      ['pässwörd 🔑', '"pässwörd \\U0001F511" # note', '"pässwörd \\U0001F511"'],
    ];
    for (const [plaintext, block, flow] of cases) {
      const envelope = await sealed(plaintext);
      const source = `values:\n  a:\n    fn::secret: # note\n      ciphertext: ${envelope}\n  b: {'fn::secret': {ciphertext: ${envelope}}}\n`;
      assert.equal(await decryptSecrets('doc', source, rot128), `values:\n  a:\n    fn::secret: ${block}\n  b: {'fn::secret': ${flow}}\n`, JSON.stringify(plaintext));
    }
  });

  it('keeps the quoting of the ciphertext string, and its line comment over the key’s', async () => {
    const envelope = await sealed('hunter2');
    const source = `values:\n  b:\n    fn::secret:\n      ciphertext: '${envelope}'\n  a:\n    fn::secret: # dropped\n      ciphertext: "${envelope}" # kept\n`;
    assert.equal(await decryptSecrets('doc', source, rot128), `values:\n  b:\n    fn::secret: 'hunter2'\n  a:\n    fn::secret: "hunter2" # kept\n`);
  });

  it('indents the lines of a multi-line quoted plaintext as yaml.v3 does, in flow collections too', async () => {
    const envelope = await sealed('line1\nline2');
    const source = `values:\n  a:\n    fn::secret:\n      ciphertext: '${envelope}'\n  b:\n    - x: [{y: {'fn::secret': {ciphertext: '${envelope}'}}}]\n`;
    assert.equal(await decryptSecrets('doc', source, rot128), "values:\n  a:\n    fn::secret: 'line1\n\n      line2'\n  b:\n    - x: [{y: {'fn::secret': 'line1\n\n              line2'}}]\n");
  });

  it('encrypts multi-byte UTF-8 as its bytes', async () => {
    const plaintext = 'values:\n  name: Zoë\n  secret:\n    fn::secret: 日本語のパスワード # ünïcödé\n';
    const encrypted = await encryptSecrets('doc', plaintext, rot128);
    const envelope = /ciphertext: (\S+)/.exec(encrypted)![1]!;
    assert.deepEqual(await rot128.decrypt(decodeCiphertext(envelope)), Buffer.from('日本語のパスワード', 'utf8'));
    assert.equal(encrypted, `values:\n  name: Zoë\n  secret:\n    fn::secret:\n      ciphertext: ${envelope} # ünïcödé\n`);
    assert.equal(await decryptSecrets('doc', encrypted, rot128), plaintext);
  });

  it('leaves a definition without secrets, or an empty one, as it is (ESC re-encodes it)', async () => {
    const source = 'values:\n    # four-space indent, kept\n    a:   1\n\n    b: [x, y]\n';
    assert.equal(await encryptSecrets('doc', source, rot128), source);
    assert.equal(await decryptSecrets('doc', source, rot128), source);
    assert.equal(await encryptSecrets('doc', '', rot128), '');
  });

  it('writes line breaks as the definition does (ESC writes LF)', async () => {
    const plaintext = 'values:\r\n  a:\r\n    fn::secret: hunter2\r\n  b: x\r\n';
    const encrypted = await encryptSecrets('doc', plaintext, rot128);
    assert.equal(encrypted, `values:\r\n  a:\r\n    fn::secret:\r\n      ciphertext: ${await sealed('hunter2')}\r\n  b: x\r\n`);
    assert.equal(await decryptSecrets('doc', encrypted, rot128), plaintext);
  });

  it('fails as ESC does', async () => {
    // Encrypter and decrypter errors, and a malformed envelope (ESC's TestEncryptBroken, TestDecryptBroken, TestDecryptInvalidBase64).
    await assert.rejects(encryptSecrets('doc', 'values:\n  password:\n    fn::secret: hunter2\n', broken), { message: 'broken' });
    await assert.rejects(decryptSecrets('doc', 'values:\n  password:\n    fn::secret:\n      ciphertext: "aHVudGVyMg=="\n', broken), InvalidCiphertextError);
    await assert.rejects(decryptSecrets('doc', `values:\n  password:\n    fn::secret:\n      ciphertext: ${await sealed('hunter2')}\n`, broken), { message: 'broken' });
    await assert.rejects(decryptSecrets('doc', 'values:\n  password:\n    fn::secret:\n      ciphertext: "********"\n', rot128), {
      message: 'invalid ciphertext\nillegal base64 data at input byte 0',
    });
    // Malformed secrets are left for the parser (ESC's TestEncryptMalformedSecret).
    const malformed = 'values:\n  password:\n    fn::secret: [ array ]\n';
    assert.equal(await encryptSecrets('doc', malformed, broken), malformed);
    // An empty plaintext seals into an envelope too short for ESC to open again.
    const empty = await encryptSecrets('doc', 'values:\n  a:\n    fn::secret: ""\n', rot128);
    await assert.rejects(decryptSecrets('doc', empty, rot128), { message: 'invalid ciphertext\nEOF' });
    // yaml.v3 will not write a string that is not UTF-8.
    const latin1 = encodeCiphertext(await rot128.encrypt(Buffer.from('caf\xe9!', 'latin1'))).toString('base64');
    await assert.rejects(decryptSecrets('doc', `values:\n  a:\n    fn::secret:\n      ciphertext: ${latin1}\n`, rot128), {
      message: 'yaml: cannot marshal invalid UTF-8 data as !!str',
    });
  });

  it('rejects definitions ESC cannot decode', async () => {
    await assert.rejects(encryptSecrets('doc', 'values:\n  a: [unclosed\n', rot128), DefinitionError);
    await assert.rejects(encryptSecrets('doc', 'values:\n  a: &anchor x\n  b: *anchor\n', rot128), (error: unknown) => {
      assert.ok(error instanceof DefinitionError);
      assert.equal(error.diagnostics[0]!.summary, 'alias nodes are not supported');
      assert.equal(error.message, 'doc:3,6-6: alias nodes are not supported; ');
      return true;
    });
  });
});
