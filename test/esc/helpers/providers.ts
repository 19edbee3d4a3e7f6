// The providers and rotators Pulumi's evaluator tests use (eval_test.go), for the golden cases.
import type { Provider, ProviderLoader, Rotator } from '../../../src/esc/eval.js';
import { EscNumber, schemaBuilders as S } from '../../../src/esc/schema.js';
import type { EscValue } from '../../../src/esc/value.js';

const num = (text: string) => EscNumber.fromText(text);

/** Echoes its inputs. */
const testProvider: Provider = {
  schema: () => ({ inputs: S.always(), outputs: S.always() }),
  open: async (inputs) => ({ value: inputs }),
};

/** Fails with the reason it is given. */
const errorProvider: Provider = {
  schema: () => ({ inputs: S.record({ why: S.string() }).schema(), outputs: S.always() }),
  open: async (inputs) => {
    throw new Error(inputs['why']!.value as string);
  },
};

/** Echoes its inputs as one secret. */
const secretWrapperProvider: Provider = {
  schema: () => ({ inputs: S.always(), outputs: S.always() }),
  open: async (inputs) => ({ value: inputs, secret: true }),
};

/** Echoes its inputs, which must conform to a schema with every kind of constraint. */
function schemaProviderSchema() {
  return S.object()
    .defs({ defRecord: S.record({ baz: S.string().const('qux') }) })
    .properties(
      { null: S.null(), boolean: S.boolean(), false: S.boolean().const(false), true: S.boolean().const(true), number: S.number(), pi: S.number().const(num('3.14')), string: S.string(), hello: S.string().const('hello'), array: S.array().items(S.always()), tuple: S.tuple(S.string().const('hello'), S.string().const('world')), map: S.object().additionalProperties(S.always()), record: S.record({ foo: S.string() }), anyOf: S.anyOf(S.string(), S.number()), oneOf: S.oneOf(S.string(), S.number()), ref: S.ref('#/$defs/defRecord'), 'const-array': S.array().const(['hello', num('42')]), 'const-object': S.object().const({ hello: 'world' }), enum: S.string().enum('foo', 'bar'), never: S.never(), always: S.always(), double: S.tuple(S.string(), S.number()), triple: S.tuple(S.string(), S.number(), S.boolean()), dependentReq: S.object().properties({ foo: S.string(), bar: S.number() }).dependentRequired({ foo: ['bar'] }), multiple: S.number().multipleOf(num('2')), minimum: S.number().minimum(num('1')), exclusiveMinimum: S.number().exclusiveMinimum(num('1')), maximum: S.number().maximum(num('1')), exclusiveMaximum: S.number().exclusiveMaximum(num('1')), minLength: S.string().minLength(1), maxLength: S.string().maxLength(1), pattern: S.string().pattern('^foo[0-9]+$'), minItems: S.array().minItems(3), maxItems: S.array().maxItems(2), minProperties: S.object().minProperties(1), maxProperties: S.object().maxProperties(1) },
    ).schema();
}

const schemaProvider: Provider = {
  schema: () => {
    const schema = schemaProviderSchema();
    return { inputs: schema, outputs: schema };
  },
  open: async (inputs) => ({ value: inputs }),
};

/** Sleeps; ESC's benchmark provider. */
const benchProvider: Provider = {
  schema: () => ({ inputs: S.always(), outputs: S.always() }),
  open: async () => ({ value: '0s' }),
};

const swapRotator: Rotator = {
  schema: () => ({
    inputs: S.always(),
    state: S.record({ a: S.string(), b: S.string() }).schema(),
    outputs: S.record({ a: S.string(), b: S.string() }).schema(),
  }),
  open: async (_inputs, state) => ({ value: state ?? {} }),
  rotate: async (_inputs, state) => ({ value: { a: state!['b']!, b: state!['a']! } }),
};

const echoRotator: Rotator = {
  schema: () => {
    const state = S.object().properties({ current: S.string(), previous: S.string() }).required('current').schema();
    return { inputs: S.record({ next: S.string() }).rotateOnly('next').schema(), state, outputs: state };
  },
  open: async (inputs, state) => {
    const next = inputs['next'];
    if (!next?.unknown && next?.value !== state?.['current']?.value) throw new Error('oh no! inputs were evaluated outside of rotation');
    return { value: state ?? {} };
  },
  rotate: async (inputs, state) => {
    const next = inputs['next']!;
    if (next.unknown) throw new Error('oh no! rotateOnly inputs were not evaluated during rotation');
    const current: EscValue = state?.['current'] ?? {};
    return { value: { current: next, previous: current } };
  },
};

export const testProviders: ProviderLoader = {
  async loadProvider(name) {
    const provider = { error: errorProvider, schema: schemaProvider, test: testProvider, 'secret-wrapper': secretWrapperProvider, bench: benchProvider }[name];
    if (!provider) throw new Error(`unknown provider ${JSON.stringify(name)}`);
    return provider;
  },
  async loadRotator(name) {
    const rotator = { swap: swapRotator, echo: echoRotator }[name];
    if (!rotator) throw new Error(`unknown rotator ${JSON.stringify(name)}`);
    return rotator;
  },
};
