// A value derived from a secret is a secret: through interpolation, references, property access,
// every builtin, providers, rotators, imports and the execution context; every part of it (each
// element of a split, each member of a decoded object) is marked secret, redacted unless revealed
// and plain when revealed. The table's cases run with their secrets as plaintext and as ciphertext.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCiphertext } from '../../src/esc/crypt.js';
import { checkEnvironment, evalEnvironment, ExecContext, rotateEnvironment, type EvalOptions, type Provider, type ProviderLoader } from '../../src/esc/eval.js';
import { loadYaml } from '../../src/esc/load.js';
import { EscNumber, schemaBuilders as S } from '../../src/esc/schema.js';
import { toJSON, type EscValue } from '../../src/esc/value.js';
import { testProviders } from './helpers/providers.js';
import { rot128 } from './helpers/rot128.js';

const secretTexts = {
  pw: 'hunter2',
  json: '{"user": "admin", "ports": [80, 443], "tls": {"on": true}}',
  encoded: 'aHVudGVyMg==',
  csv: 'a,b,c',
};

const ciphertextOf = async (text: string) => encodeCiphertext(await rot128.encrypt(Buffer.from(text))).toString('base64');
const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The secrets every case reads: `pw`, `json`, `encoded` and `csv`, written as plaintext or ciphertext. */
const secretDefinitions = {
  plaintext: Object.entries(secretTexts).map(([key, text]) => `  ${key}: {fn::secret: ${quoted(text)}}\n`).join(''),
  ciphertext: (await Promise.all(Object.entries(secretTexts).map(async ([key, text]) => `  ${key}: {fn::secret: {ciphertext: ${await ciphertextOf(text)}}}\n`))).join(''),
};

/** Returns a secret object holding a secret object with a plain member, as a provider may. */
const nestedSecretProvider: Provider = {
  schema: () => ({ inputs: S.always(), outputs: S.always() }),
  open: async () => ({ secret: true, value: { inner: { secret: true, value: { plain: { value: 'inside' } } } } }),
};

const providers: ProviderLoader = {
  loadProvider: async (name) => (name === 'nested-secret' ? nestedSecretProvider : testProviders.loadProvider(name)),
  loadRotator: (name) => testProviders.loadRotator(name),
};

function optionsFor(imports: Record<string, string>, context: Record<string, EscValue> = {}): EvalOptions {
  return {
    decrypter: rot128,
    providers,
    environments: {
      async loadEnvironment(name) {
        const definition = imports[name];
        if (definition === undefined) throw new Error(`environment ${JSON.stringify(name)} not found`);
        return { definition, decrypter: rot128 };
      },
    },
    execContext: ExecContext.create(context),
  };
}

interface Evaluated {
  opened: EscValue;
  checked: EscValue;
  checkedShowingSecrets: EscValue;
  messages: string[];
}

/** Opens and checks a definition; `out` is the value a case looks at. */
async function evaluate(definition: string, imports: Record<string, string> = {}, context: Record<string, EscValue> = {}, key = 'out'): Promise<Evaluated> {
  const { env, diags: loadDiags } = loadYaml('env', definition);
  assert.deepEqual(loadDiags.map((d) => d.summary), []);
  const options = optionsFor(imports, context);
  const opened = await evalEnvironment('env', env, options);
  const checked = await checkEnvironment('env', env, options, false);
  const shown = await checkEnvironment('env', env, options, true);
  return {
    opened: opened.environment!.properties[key]!,
    checked: checked.environment!.properties[key]!,
    checkedShowingSecrets: shown.environment!.properties[key]!,
    messages: [...opened.diags, ...checked.diags].map((d) => d.summary),
  };
}

/** The parts of a value (itself, its elements and members, all the way down) not marked secret. */
function plainParts(v: EscValue, where = 'out'): string[] {
  const own = v.secret ? [] : [where];
  const plain = v.value;
  if (Array.isArray(plain)) return [...own, ...plain.flatMap((element, index) => plainParts(element, `${where}[${index}]`))];
  if (plain !== null && typeof plain === 'object' && !(plain instanceof EscNumber)) {
    return [...own, ...Object.entries(plain).flatMap(([key, member]) => plainParts(member, `${where}.${key}`))];
  }
  return own;
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

/** Secret in every part, redacted unless revealed; `revealed` is what opening shows when asked to. */
function assertSecretOpen(out: EscValue, revealed: unknown) {
  assert.deepEqual(plainParts(out), [], 'every part is secret');
  assert.equal(toJSON(out, true), '[secret]');
  assert.deepEqual(json(toJSON(out, false)), revealed);
}

/** What checking gives may be unknown (a ciphertext not decrypted, a provider not opened), but is secret. */
function assertSecretChecked(out: EscValue) {
  assert.deepEqual(plainParts(out), [], 'every part is secret');
  assert.equal(toJSON(out, true), '[secret]');
}

const cases: Array<{ name: string; values: string; revealed: unknown }> = [
  { name: 'interpolation into a string', values: '  out: "user:${pw}@db"\n', revealed: 'user:hunter2@db' },
  { name: 'a reference to a secret', values: '  out: ${pw}\n', revealed: 'hunter2' },
  { name: 'fn::fromJSON, every member of what it decodes', values: '  out: {fn::fromJSON: "${json}"}\n', revealed: { user: 'admin', ports: [80, 443], tls: { on: true } } },
  { name: 'a member read out of fn::fromJSON', values: '  decoded: {fn::fromJSON: "${json}"}\n  out: ${decoded.tls.on}\n', revealed: true },
  { name: 'an element read out of fn::fromJSON', values: '  decoded: {fn::fromJSON: "${json}"}\n  out: ${decoded.ports[1]}\n', revealed: 443 },
  { name: 'a member of fn::fromJSON interpolated', values: '  decoded: {fn::fromJSON: "${json}"}\n  out: "login ${decoded.user}"\n', revealed: 'login admin' },
  { name: 'fn::fromBase64', values: '  out: {fn::fromBase64: "${encoded}"}\n', revealed: 'hunter2' },
  { name: 'fn::toBase64', values: '  out: {fn::toBase64: "${pw}"}\n', revealed: 'aHVudGVyMg==' },
  { name: 'fn::toJSON', values: '  out: {fn::toJSON: {user: admin, password: "${pw}"}}\n', revealed: '{"password":"hunter2","user":"admin"}' },
  { name: 'fn::toYAML', values: '  out: {fn::toYAML: {password: "${pw}"}}\n', revealed: 'password: hunter2\n' },
  { name: 'fn::toString', values: '  out: {fn::toString: [plain, "${pw}"]}\n', revealed: '"plain","hunter2"' },
  { name: 'fn::join of a secret element', values: '  out: {fn::join: [",", [plain, "${pw}"]]}\n', revealed: 'plain,hunter2' },
  { name: 'fn::join with a secret delimiter', values: '  out: {fn::join: ["${pw}", [a, b]]}\n', revealed: 'ahunter2b' },
  { name: 'fn::split of a secret, every part', values: '  out: {fn::split: [",", "${csv}"]}\n', revealed: ['a', 'b', 'c'] },
  { name: 'fn::split on a secret delimiter, every part', values: '  out: {fn::split: ["${pw}", "xhunter2y"]}\n', revealed: ['x', 'y'] },
  { name: 'an element read out of fn::split', values: '  parts: {fn::split: [",", "${csv}"]}\n  out: ${parts[1]}\n', revealed: 'b' },
  { name: 'an element of fn::split interpolated', values: '  parts: {fn::split: [",", "${csv}"]}\n  out: "first: ${parts[0]}"\n', revealed: 'first: a' },
  { name: 'fn::concat of secret arrays', values: '  parts: {fn::split: [",", "${csv}"]}\n  out: {fn::concat: ["${parts}", ["${pw}"]]}\n', revealed: ['a', 'b', 'c', 'hunter2'] },
  { name: 'fn::final', values: '  decoded: {fn::fromJSON: "${json}"}\n  out: {fn::final: "${decoded}"}\n', revealed: { user: 'admin', ports: [80, 443], tls: { on: true } } },
  { name: 'a member read out of fn::final', values: '  decoded: {fn::fromJSON: "${json}"}\n  final: {fn::final: "${decoded}"}\n  out: ${final.user}\n', revealed: 'admin' },
  { name: 'fn::validate', values: '  out: {fn::validate: {schema: {type: string}, value: "${pw}"}}\n', revealed: 'hunter2' },
  { name: 'fn::open with a secret input, every part of its output', values: '  out: {fn::open::test: {user: admin, password: "${pw}"}}\n', revealed: { user: 'admin', password: 'hunter2' } },
  { name: 'a plain-looking member of fn::open output', values: '  opened: {fn::open::test: {user: admin, password: "${pw}"}}\n  out: ${opened.user}\n', revealed: 'admin' },
  { name: 'fn::open taking a whole secret object', values: '  decoded: {fn::fromJSON: "${json}"}\n  out: {fn::open::test: {config: "${decoded}"}}\n', revealed: { config: { user: 'admin', ports: [80, 443], tls: { on: true } } } },
  { name: 'fn::rotate with a secret in its state', values: '  out:\n    fn::rotate::swap:\n      inputs: {}\n      state: {a: "${pw}", b: plain}\n', revealed: { a: 'hunter2', b: 'plain' } },
];

describe('ESC secrets: a value derived from a secret is secret', () => {
  for (const form of ['plaintext', 'ciphertext'] as const) {
    describe(`with ${form} secrets`, () => {
      for (const { name, values, revealed } of cases) {
        it(name, async () => {
          const { opened, checked, checkedShowingSecrets, messages } = await evaluate(`values:\n${secretDefinitions[form]}${values}`);
          assert.deepEqual(messages, []);
          assertSecretOpen(opened, revealed);
          assertSecretChecked(checked);
          assertSecretChecked(checkedShowingSecrets);
        });
      }
    });
  }
});

describe('ESC secrets: imports and the execution context', () => {
  const base = `values:\n${secretDefinitions.plaintext}  decoded: {fn::fromJSON: "\${json}"}\n  parts: {fn::split: [",", "\${csv}"]}\n`;

  it('keeps an imported secret secret, read through imports, the merged values and an inline reference', async () => {
    const definition = 'imports: [base, proj/base]\nvalues:\n  viaImports: ${imports.base.pw}\n  merged: ${pw}\n  inline: ${environments.proj.base.pw}\n';
    for (const key of ['viaImports', 'merged', 'inline']) {
      const { opened, checked } = await evaluate(definition, { base, 'proj/base': base }, {}, key);
      assertSecretOpen(opened, 'hunter2');
      assertSecretChecked(checked);
    }
  });

  it('keeps what an imported environment derived from its secrets secret', async () => {
    const definition = 'imports: [base]\nvalues:\n  user: ${imports.base.decoded.user}\n  part: ${parts[2]}\n  whole: ${decoded}\n';
    const user = await evaluate(definition, { base }, {}, 'user');
    assertSecretOpen(user.opened, 'admin');
    const part = await evaluate(definition, { base }, {}, 'part');
    assertSecretOpen(part.opened, 'c');
    const whole = await evaluate(definition, { base }, {}, 'whole');
    assertSecretOpen(whole.opened, { user: 'admin', ports: [80, 443], tls: { on: true } });
  });

  it('keeps an imported ciphertext secret when checking, unknown without showSecrets', async () => {
    const ciphertextBase = `values:\n${secretDefinitions.ciphertext}`;
    const { opened, checked, checkedShowingSecrets } = await evaluate('imports: [base]\nvalues:\n  out: {fn::fromJSON: "${imports.base.json}"}\n', { base: ciphertextBase });
    assertSecretOpen(opened, { user: 'admin', ports: [80, 443], tls: { on: true } });
    assert.equal(checked.unknown, true);
    assertSecretChecked(checked);
    assertSecretChecked(checkedShowingSecrets);
  });

  it('makes every part of a secret context value secret', async () => {
    const context = { creds: { secret: true, value: { user: { value: 'ci' }, keys: { value: [{ value: 'k1' }] } } } };
    for (const [key, revealed] of [['user', 'ci'], ['key', 'k1']] as const) {
      const { opened } = await evaluate('values:\n  user: ${context.creds.user}\n  key: ${context.creds.keys[0]}\n', {}, context, key);
      assertSecretOpen(opened, revealed);
    }
  });
});

describe('ESC secrets: providers and rotators', () => {
  it('makes every part of a secret provider output secret, even under a part it already marked secret', async () => {
    const { opened } = await evaluate('values:\n  opened: {fn::open::nested-secret: {}}\n  out: ${opened.inner.plain}\n');
    assertSecretOpen(opened, 'inside');
  });

  it('writes back a rotated state derived from a secret as secret in every part', async () => {
    const definition = `values:\n${secretDefinitions.ciphertext}  creds:\n    fn::rotate::swap:\n      inputs: {}\n      state: {a: "\${pw}", b: plain}\n`;
    const { env } = loadYaml('env', definition);
    const rotated = await rotateEnvironment('env', env, optionsFor({}), []);
    assert.deepEqual(rotated.diags, []);
    const [rotation] = rotated.rotations;
    assert.equal(rotation?.status, 'succeeded');
    assert.deepEqual(plainParts(rotation!.patch!.replacement), []);
    assert.deepEqual(toJSON(rotation!.patch!.replacement, false), { a: 'plain', b: 'hunter2' });
    assertSecretOpen(rotated.environment!.properties['creds']!, { a: 'plain', b: 'hunter2' });
  });

  it('keeps the output of a provider given no secret as the provider marks it', async () => {
    const { opened } = await evaluate('values:\n  out: {fn::open::test: {user: admin}}\n');
    assert.deepEqual(plainParts(opened), ['out', 'out.user']);
  });
});

describe('ESC secrets: only what is derived from a secret', () => {
  it('leaves the plain members of an object and the plain elements of a concatenation plain', async () => {
    const definition = `values:\n${secretDefinitions.plaintext}  obj: {password: "\${pw}", user: admin}\n  list: {fn::concat: [[plain], ["\${pw}"]]}\n  user: \${obj.user}\n  first: \${list[0]}\n`;
    const { env } = loadYaml('env', definition);
    const { environment } = await evalEnvironment('env', env, optionsFor({}));
    const properties = environment!.properties;
    assert.deepEqual(json(toJSON({ value: { obj: properties['obj']!, user: properties['user']!, first: properties['first']! } }, true)), {
      obj: { password: '[secret]', user: 'admin' },
      user: 'admin',
      first: 'plain',
    });
    assert.deepEqual(plainParts(properties['list']!), ['out[0]']);
  });
});

describe('ESC secrets: diagnostics do not quote them', () => {
  const open = async (values: string) => {
    const { env } = loadYaml('env', `values:\n${secretDefinitions.plaintext}${values}`);
    const { diags } = await evalEnvironment('env', env, optionsFor({}));
    return diags.map((d) => d.summary);
  };

  it('suggests no member name of a secret object, and tells no length of a secret array', async () => {
    assert.deepEqual(await open('  decoded: {fn::fromJSON: "${json}"}\n  out: ${decoded.usr}\n'), ['unknown property "usr"']);
    assert.deepEqual(await open('  parts: {fn::split: [",", "${csv}"]}\n  out: ${parts[7]}\n'), ['array index 7 out-of-bounds for a secret array']);
  });

  it('withholds why a secret does not decode', async () => {
    assert.deepEqual(await open('  out: {fn::fromJSON: "${pw}"}\n'), ['decoding JSON string: the value is secret, so the details are withheld']);
    assert.deepEqual(await open('  out: {fn::fromBase64: "${pw}"}\n'), ['decoding base64 string: the value is secret, so the details are withheld']);
    assert.deepEqual(await open('  out: {fn::fromJSON: "hunter2"}\n'), ["decoding JSON string: invalid character 'h' looking for beginning of value"]);
  });

  it('withholds what a schema built from a secret expects', async () => {
    assert.deepEqual(await open('  out: {fn::validate: {schema: {const: "${pw}"}, value: guess}}\n'), ['the value does not match its schema: the value is secret, so the details are withheld']);
    assert.deepEqual(await open('  out: {fn::validate: {schema: {const: hunter2}, value: guess}}\n'), ['expected "hunter2"']);
  });

  it('reads a ciphertext through an accessor as its value: no internal error', async () => {
    const { env } = loadYaml('env', `values:\n${secretDefinitions.ciphertext}  out: \${pw[0]}\n`);
    const { diags } = await evalEnvironment('env', env, optionsFor({}));
    assert.deepEqual(diags.map((d) => d.summary), ['receiver must be an array or an object']);
  });
});
