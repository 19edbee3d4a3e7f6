// The ESC evaluator feature by feature, on small definitions (the golden cases cover the rest).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCiphertext } from '../../src/esc/crypt.js';
import { checkEnvironment, evalEnvironment, ExecContext, rotateEnvironment, type EvalOptions } from '../../src/esc/eval.js';
import { loadYaml, sortDiagnostics } from '../../src/esc/load.js';
import { toJSON } from '../../src/esc/value.js';
import { testProviders } from './helpers/providers.js';
import { rot128 } from './helpers/rot128.js';

/** Options over named definitions; the first is the one evaluated. */
function optionsFor(definitions: Record<string, string>): EvalOptions {
  return {
    decrypter: rot128,
    providers: testProviders,
    environments: {
      async loadEnvironment(name) {
        const definition = definitions[name];
        if (definition === undefined) throw new Error(`environment ${JSON.stringify(name)} not found`);
        return { definition, decrypter: rot128 };
      },
    },
    execContext: ExecContext.create({ pulumi: { value: { user: { value: { id: { value: 'USER_1' } } } } } }),
  };
}

async function open(definition: string, imports: Record<string, string> = {}, name = 'env') {
  const { env, diags: loadDiags } = loadYaml(name, definition);
  const { environment, diags } = await evalEnvironment(name, env, optionsFor(imports));
  return {
    revealed: environment && toJSON({ value: environment.properties }, false),
    redacted: environment && toJSON({ value: environment.properties }, true),
    messages: sortDiagnostics([...loadDiags, ...diags]).map((d) => d.summary),
  };
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('ESC evaluation: values and references', () => {
  it('keeps literal types, and a whole-string reference keeps the type of what it names', async () => {
    const { revealed, messages } = await open('values:\n  n: 1.50\n  flag: true\n  list: [1, two]\n  same: ${list}\n  text: "n is ${n}"\n');
    assert.deepEqual(messages, []);
    assert.deepEqual(json(revealed), { n: 1.5, flag: true, list: [1, 'two'], same: [1, 'two'], text: 'n is 1.50' });
  });

  it('follows property access through objects, lists and quoted keys; $${ is a literal ${', async () => {
    const { revealed } = await open('values:\n  a:\n    b: [x, {"k.y": deep}]\n  r: ${a.b[1]["k.y"]}\n  escaped: "$${a.b}"\n');
    assert.equal((revealed as Record<string, unknown>)['r'], 'deep');
    assert.equal((revealed as Record<string, unknown>)['escaped'], '${a.b}');
  });

  it('reports unknown properties with a suggestion, bad indices and cycles', async () => {
    const { messages } = await open('values:\n  a: {color: red}\n  b: ${a.colour}\n  c: ${a[0]}\n  d: ${e}\n  e: ${d}\n  list: [1]\n  f: ${list[3]}\n');
    assert.deepEqual(messages, [
      'unknown property "colour"; did you mean "color"?',
      'cannot access an object property using an integer index',
      'cyclic reference to d',
      'array index 3 out-of-bounds for array of length 1',
    ]);
  });

  it('reads the execution context, with the current and root environment names', async () => {
    const { revealed } = await open('values:\n  who: ${context.pulumi.user.id}\n  here: ${context.currentEnvironment.name}\n  root: ${context.rootEnvironment.name}\n', {}, 'proj/dev');
    assert.deepEqual(json(revealed), { who: 'USER_1', here: 'proj/dev', root: 'proj/dev' });
  });

  it('refuses reserved keys at the top of values', async () => {
    const { messages } = await open('values:\n  imports: 1\n  context: 2\n  fine: 3\n');
    assert.deepEqual(messages, ['"imports" is a reserved key', '"context" is a reserved key']);
  });
});

describe('ESC evaluation: imports', () => {
  const base = 'values:\n  shared: {a: 1, b: 2}\n  name: base\n';

  it('merges imports in order, as JSON merge patch, under the importing environment', async () => {
    const imports = { base, other: 'values:\n  shared: {b: 20, c: 30}\n' };
    const { revealed } = await open('imports: [base, other]\nvalues:\n  shared: {c: 300}\n  copy: ${imports.base.name}\n', imports);
    assert.deepEqual(json(revealed), { shared: { a: 1, b: 20, c: 300 }, name: 'base', copy: 'base' });
  });

  it('leaves an import with merge: false out of the values but readable under imports', async () => {
    const { revealed } = await open('imports:\n  - base: {merge: false}\nvalues:\n  got: ${imports.base.shared.a}\n', { base });
    assert.deepEqual(json(revealed), { got: 1 });
  });

  it('reports cyclic and missing imports', async () => {
    const cyclic = await open('imports: [a]\nvalues: {x: 1}\n', { a: 'imports: [env]\nvalues: {y: 2}\n' });
    assert.deepEqual(cyclic.messages, ['cyclic import of env']);
    const missing = await open('imports: [nowhere]\nvalues: {x: 1}\n');
    assert.deepEqual(missing.messages, ['environment "nowhere" not found']);
  });

  it('imports inline with ${environments.<project>.<env>.…}', async () => {
    const { revealed } = await open('values:\n  ref: ${environments.proj.base.shared.b}\n', { 'proj/base': base });
    assert.deepEqual(json(revealed), { ref: 2 });
  });

  it('keeps a final value and warns when an importer overrides it', async () => {
    const { revealed, messages } = await open('imports: [locked]\nvalues:\n  region: us-east-1\n', { locked: 'values:\n  region:\n    fn::final: eu-west-1\n' });
    assert.deepEqual(json(revealed), { region: 'eu-west-1' });
    assert.deepEqual(messages, ['cannot override final value']);
  });
});

describe('ESC evaluation: builtins', () => {
  it('joins, splits and concatenates', async () => {
    const { revealed } = await open(
      'values:\n  j: {fn::join: ["-", [a, b]]}\n  s: {fn::split: [",", "x,y"]}\n  c: {fn::concat: [[1], [2, 3]]}\n',
    );
    assert.deepEqual(json(revealed), { j: 'a-b', s: ['x', 'y'], c: [1, 2, 3] });
  });

  it('converts to and from JSON, YAML, base64 and text', async () => {
    const { revealed } = await open(
      'values:\n  o: {b: "<1>", a: [true]}\n  tj: {fn::toJSON: "${o}"}\n  fj: {fn::fromJSON: \'{"n": 1.0}\'}\n' +
        '  ty: {fn::toYAML: "${o}"}\n  tb: {fn::toBase64: hé}\n  fb: {fn::fromBase64: aMOp}\n  ts: {fn::toString: "${o}"}\n',
    );
    assert.deepEqual(json(revealed), {
      o: { b: '<1>', a: [true] },
      tj: '{"a":[true],"b":"\\u003c1\\u003e"}',
      fj: { n: 1 },
      ty: 'a:\n    - true\nb: <1>\n',
      tb: 'aMOp',
      fb: 'hé',
      ts: '"a"="\\"true\\"","b"="<1>"',
    });
  });

  it('reports wrong argument types and undecodable input', async () => {
    const { messages } = await open('values:\n  j: {fn::join: [1, [a]]}\n  fb: {fn::fromBase64: "!!"}\n  fj: {fn::fromJSON: "{"}\n  x: {fn::nope: 1}\n');
    assert.deepEqual(messages, [
      'expected string, got number',
      'decoding base64 string: illegal base64 data at input byte 0',
      'decoding JSON string: unexpected EOF',
      "'fn::' is a reserved prefix",
    ]);
  });

  it('marks secrets, redacts them, and keeps what is computed from them secret', async () => {
    const { revealed, redacted } = await open('values:\n  pw: {fn::secret: hunter2}\n  dsn: "user:${pw}@db"\n  plain: ok\n');
    assert.deepEqual(json(revealed), { pw: 'hunter2', dsn: 'user:hunter2@db', plain: 'ok' });
    assert.deepEqual(json(redacted), { pw: '[secret]', dsn: '[secret]', plain: 'ok' });
  });

  it('decrypts ciphertext when opening, and leaves it unknown when checking without showSecrets', async () => {
    const ciphertext = encodeCiphertext(await rot128.encrypt(Buffer.from('s3cret value'))).toString('base64');
    const definition = `values:\n  token: {fn::secret: {ciphertext: ${ciphertext}}}\n`;
    assert.deepEqual(json((await open(definition)).revealed), { token: 's3cret value' });
    const { env } = loadYaml('env', definition);
    const checked = await checkEnvironment('env', env, optionsFor({}), false);
    assert.deepEqual(toJSON({ value: checked.environment!.properties }, false), { token: '[unknown]' });
    const shown = await checkEnvironment('env', env, optionsFor({}), true);
    assert.deepEqual(toJSON({ value: shown.environment!.properties }, false), { token: 's3cret value' });
  });

  it('validates against a JSON schema and passes the value through', async () => {
    const { revealed, messages } = await open(
      'values:\n  ok: {fn::validate: {schema: {type: string, minLength: 2}, value: fine}}\n  bad: {fn::validate: {schema: {type: number}, value: text}}\n',
    );
    assert.deepEqual(json(revealed), { ok: 'fine', bad: 'text' });
    assert.deepEqual(messages, ['expected number, got string']);
  });
});

describe('ESC evaluation: providers and rotators', () => {
  it('opens providers when evaluating and leaves their outputs unknown when checking', async () => {
    const definition = 'values:\n  out: {fn::open::test: {greeting: hi}}\n  hello: ${out.greeting}\n';
    assert.deepEqual(json((await open(definition)).revealed), { out: { greeting: 'hi' }, hello: 'hi' });
    const { env } = loadYaml('env', definition);
    const checked = await checkEnvironment('env', env, optionsFor({}), false);
    assert.deepEqual(toJSON({ value: checked.environment!.properties }, false), { out: '[unknown]', hello: '[unknown]' });
  });

  it('reports provider failures, unknown providers and inputs that break the provider schema', async () => {
    const { messages } = await open('values:\n  a: {fn::open::error: {why: broken}}\n  b: {fn::open::missing: {}}\n  c: {fn::open::error: {why: 1}}\n');
    assert.deepEqual(messages, ['broken', 'unknown provider "missing"', 'expected string, got number']);
  });

  it('takes the long form of fn::open, and keeps what a provider returns as secret secret', async () => {
    const { revealed, redacted } = await open('values:\n  long: {fn::open: {provider: test, inputs: {a: 1}}}\n  wrapped: {fn::open::secret-wrapper: {b: two}}\n');
    assert.deepEqual(json(revealed), { long: { a: 1 }, wrapped: { b: 'two' } });
    assert.deepEqual(json(redacted), { long: { a: 1 }, wrapped: '[secret]' });
  });

  it('reports a ciphertext that is not an envelope', async () => {
    const { messages } = await open('values:\n  bad: {fn::secret: {ciphertext: dGhpcyBpcyBub3QgYW4gZW52ZWxvcGUgYXQgYWxs}}\n');
    assert.deepEqual(messages, ['invalid ciphertext: invalid header']);
  });

  it('leaves rotate-only inputs unknown when opening, and evaluates them when rotating', async () => {
    const definition = 'values:\n  next: two\n  creds:\n    fn::rotate::echo:\n      inputs: {next: "${next}"}\n      state: {current: one}\n';
    const opened = await open(definition);
    assert.deepEqual(opened.messages, []);
    assert.deepEqual(json(opened.revealed), { next: 'two', creds: { current: 'one' } });
    const { env } = loadYaml('env', definition);
    const rotated = await rotateEnvironment('env', env, optionsFor({}), []);
    assert.deepEqual(toJSON({ value: rotated.environment!.properties }, false), { next: 'two', creds: { current: 'two', previous: 'one' } });
  });

  it('rotates: calls the rotator, opens with the new state and returns it as a patch', async () => {
    const definition = 'values:\n  creds:\n    fn::rotate::swap:\n      inputs: {}\n      state: {a: one, b: two}\n';
    const { env } = loadYaml('env', definition);
    const rotated = await rotateEnvironment('env', env, optionsFor({}), []);
    assert.deepEqual(rotated.diags, []);
    assert.deepEqual(toJSON({ value: rotated.environment!.properties }, false), { creds: { a: 'two', b: 'one' } });
    assert.deepEqual(
      rotated.rotations.map((r) => ({ path: r.path, status: r.status, patch: r.patch && { docPath: r.patch.docPath, state: toJSON(r.patch.replacement, false) } })),
      [{ path: 'values.creds', status: 'succeeded', patch: { docPath: 'values.creds["fn::rotate::swap"].state', state: { a: 'two', b: 'one' } } }],
    );
    const onlyOther = await rotateEnvironment('env', env, optionsFor({}), ['elsewhere']);
    assert.deepEqual(onlyOther.rotations, []);
  });
});
