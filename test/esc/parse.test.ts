import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expr } from '../../src/esc/ast.js';
import { loadYaml } from '../../src/esc/load.js';

const load = (text: string) => loadYaml('env', text);
const summaries = (text: string) => load(text).diags.map((d) => `${d.severity === 1 ? 'error' : 'warning'}: ${d.summary} @ ${d.path}`);

describe('parsing an environment definition', () => {
  it('reads imports in both forms, values and a description', () => {
    const { env, diags } = load('description: shared settings\nimports:\n  - proj/base\n  - other: { merge: false }\nvalues:\n  a: 1\n');
    assert.deepEqual(diags, []);
    assert.equal(env!.description!.value, 'shared settings');
    assert.deepEqual(env!.imports.map((i) => [i.environment!.value, i.merge]), [['proj/base', true], ['other', false]]);
    assert.deepEqual(env!.values.map((v) => [v.key.value, v.value.kind]), [['a', 'number']]);
  });

  it('warns about unknown and duplicate top-level keys, suggesting the nearest field first', () => {
    assert.deepEqual(summaries('valuez: {}\nvalues: {}\nvalues: {}\n'), [
      "warning: Field 'valuez' does not exist on Object 'environment'. Existing fields are: 'values', 'imports', 'description' @ valuez",
      'warning: duplicate key "values" @ values',
    ]);
  });

  it('refuses malformed imports and values', () => {
    assert.deepEqual(summaries('imports: proj/env\n'), ['error: imports must be a list @ imports']);
    assert.deepEqual(summaries('imports:\n  - [a]\n  - {a: {}, b: {}}\n'), [
      'error: import must be a string or an object @ imports[0]',
      'error: import must have a single key @ imports[1]',
    ]);
    assert.deepEqual(summaries('imports:\n  - a: { merge: maybe }\n'), ['error: merge must be a boolean value @ imports[0].a.merge']);
    assert.deepEqual(summaries('values: [1]\n'), ['error: values must be an object @ values']);
    assert.deepEqual(summaries('values:\n  fn::join: [",", []]\n'), ['error: builtin function call "fn::join" not allowed at the top level @ values["fn::join"]']);
  });

  it('parses interpolations: whole references keep their type, mixed text concatenates, $$ escapes', () => {
    const { env } = load('values:\n  ref: ${a.b[0]["k\\"ey"]}\n  mixed: x-${a}-y\n  escaped: $${not}\n');
    const [ref, mixed, escaped] = env!.values.map((v) => v.value) as [Expr, Expr, Expr];
    assert.equal(ref.kind, 'symbol');
    assert.deepEqual(ref.kind === 'symbol' && ref.property.accessors.map((a) => (a.kind === 'name' ? a.name : a.index)), ['a', 'b', 0, 'k"ey']);
    assert.equal(mixed.kind, 'interpolate');
    assert.deepEqual(mixed.kind === 'interpolate' && mixed.parts.map((p) => [p.text, p.value?.accessors.length]), [['x-', 1], ['-y', undefined]]);
    assert.deepEqual(escaped, { ...escaped, kind: 'string', value: '${not}' });
  });

  it('reports bad property accesses at the characters that are wrong', () => {
    const { diags } = load('values:\n  a: ${foo[bar]}\n');
    assert.equal(diags[0]!.summary, 'numeric subscript must be a positive base-10 integer');
    // The value starts in column 6; `bar` is bytes 6-9 of it.
    assert.deepEqual([diags[0]!.range!.start.column, diags[0]!.range!.end.column], [12, 15]);
  });

  it('recognises builtins and refuses malformed calls', () => {
    const { env, diags } = load('values:\n  j:\n    fn::join: [",", [a, b]]\n  o:\n    fn::open::test: { x: 1 }\n  s:\n    fn::secret: hush\n');
    assert.deepEqual(diags, []);
    assert.deepEqual(env!.values.map((v) => (v.value.kind === 'builtin' ? v.value.fn : v.value.kind)), ['join', 'open', 'secret']);
    assert.deepEqual(summaries('values:\n  a:\n    fn::split: oops\n'), ['error: the argument to fn::split must be a two-valued list @ values.a["fn::split"]']);
    assert.deepEqual(summaries('values:\n  a:\n    fn::secret: [x]\n'), ['error: secret values must be string literals @ values.a["fn::secret"]']);
    assert.deepEqual(summaries('values:\n  a:\n    fn::rotate: { provider: p, inputs: {}, state: 1 }\n'), [
      'error: rotation state must be an object literal @ values.a["fn::rotate"].state',
    ]);
    assert.deepEqual(summaries('values:\n  a:\n    fn::nope: 1\n'), ["error: 'fn::' is a reserved prefix @ values.a"]);
    assert.deepEqual(summaries('values:\n  a:\n    fn::toJSON: 1\n    other: 2\n'), [
      'error: illegal call to builtin function: "fn::toJSON" must be the only key within its containing object @ values.a',
    ]);
  });

  it('reports broken YAML without a range, and reads an empty file as an empty environment', () => {
    assert.deepEqual(load('values:\n  a: [1, 2\n').diags.map((d) => [d.summary, d.range]), [["yaml: line 1: did not find expected ',' or ']'", undefined]]);
    assert.deepEqual(load(''), { env: { imports: [], values: [], syntax: { kind: 'object', entries: [], path: '' } }, diags: [] });
  });
});

describe('positions on long lines', () => {
  // A definition on one line has as many nodes as characters; each node's position is found
  // from the line index, not by counting the line again.
  it('places the last element of a 5,000-element flow list, after ASCII and after astral characters', () => {
    const ascii = `{"values":{"a":[${'1,'.repeat(4999)}"end"]}}\n`;
    const { env, diags } = loadYaml('long', ascii);
    assert.deepEqual(diags, []);
    const list = env!.values[0]!.value as Expr & { elements: Expr[] };
    const last = list.elements[4999]!;
    const column = ascii.indexOf('"end"') + 1;
    assert.deepEqual(last.syntax!.range!.start, { line: 1, column, byte: column - 1 });

    const astral = `{"values":{"e":"😀😀","a":[${'1,'.repeat(10)}"end"]}}\n`;
    const parsed = loadYaml('astral', astral);
    const element = (parsed.env!.values[1]!.value as Expr & { elements: Expr[] }).elements[10]!;
    // Two emoji: four UTF-16 units, two characters, eight bytes.
    const units = astral.indexOf('"end"');
    assert.equal(element.syntax!.range!.start.column, units - 2 + 1);
  });
});
