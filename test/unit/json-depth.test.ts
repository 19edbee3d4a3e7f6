import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepthExceeds, maxJsonDepth, valueDepthExceeds } from '../../src/http/json-depth.js';
import { containsSecret, rewriteStackIdentity } from '../../src/api/state/deployment.js';

const nestedArrays = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);
const nestedObjects = (depth: number, inner = '1') => '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('allows nesting up to the limit and refuses one level more', () => {
    assert.equal(jsonDepthExceeds(Buffer.from(nestedArrays(maxJsonDepth))), false);
    assert.equal(jsonDepthExceeds(Buffer.from(nestedObjects(maxJsonDepth + 1))), true);
    assert.equal(jsonDepthExceeds(Buffer.from(nestedArrays(100_000))), true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '['.repeat(5000), t: 'say \\"{{{{"' + '{'.repeat(5000) });
    assert.equal(jsonDepthExceeds(Buffer.from(text)), false);
    assert.equal(jsonDepthExceeds(Buffer.from(`[${text}]`), 2), false);
    assert.equal(jsonDepthExceeds(Buffer.from(`[[${text}]]`), 2), true);
  });

  it('measures parsed values the same way, without recursion', () => {
    assert.equal(valueDepthExceeds(JSON.parse(nestedArrays(maxJsonDepth))), false);
    assert.equal(valueDepthExceeds(JSON.parse(nestedObjects(maxJsonDepth + 1))), true);
    assert.equal(valueDepthExceeds(JSON.parse(nestedArrays(100_000))), true);
    assert.equal(valueDepthExceeds('a string'), false);
  });
});

describe('walks over state data', () => {
  const secret = '{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"x"}';

  it('containsSecret finds a secret 100,000 levels down without overflowing the stack', () => {
    assert.equal(containsSecret(JSON.parse(nestedArrays(100_000, secret))), true);
    assert.equal(containsSecret(JSON.parse(nestedObjects(100_000, '"plain"'))), false);
  });

  it('rewriteStackIdentity rewrites URNs, keys included, deep in a document', () => {
    const urn = '"urn:pulumi:dev::proj::t:T::r"';
    const document = `{"version":3,"deployment":{"resources":[{"urn":${urn},"outputs":${nestedObjects(3000, `{${urn}:${urn}}`)}}]}}`;
    const from = { organization: 'o', project: 'proj', stack: 'dev' };
    const to = { organization: 'o', project: 'proj2', stack: 'prod' };
    const rewritten = rewriteStackIdentity(Buffer.from(document), from, to).toString();
    assert.equal(rewritten.includes('urn:pulumi:dev::proj::'), false);
    assert.equal(rewritten.split('"urn:pulumi:prod::proj2::t:T::r"').length - 1, 3);
    assert.equal(rewritten, document.replaceAll('urn:pulumi:dev::proj::', 'urn:pulumi:prod::proj2::'));
  });

  it('rewriteStackIdentity rewrites a state stored 100,000 levels deep, as one accepted before the limit', () => {
    const inner = '[{"urn:pulumi:dev::proj::k":"urn:pulumi:dev::proj::v","n":1.5,"b":[true,null,"x"]},{},[]]';
    const document = `{"version":3,"deployment":{"x":${nestedObjects(100_000, inner)}}}`;
    const rewritten = rewriteStackIdentity(Buffer.from(document), { organization: 'o', project: 'proj', stack: 'dev' }, { organization: 'o', project: 'proj', stack: 'qa' });
    // Compared as a boolean: a failure would print two 600 KB strings.
    assert.ok(rewritten.toString() === document.replaceAll('urn:pulumi:dev::', 'urn:pulumi:qa::'));
  });

  it('rewriteStackIdentity keeps a member named __proto__ as data', () => {
    const document = '{"version":3,"deployment":{"x":{"__proto__":"urn:pulumi:dev::proj::a","urn:pulumi:dev::proj::k":1}}}';
    const rewritten = rewriteStackIdentity(Buffer.from(document), { organization: 'o', project: 'proj', stack: 'dev' }, { organization: 'o', project: 'proj', stack: 'qa' });
    assert.equal(rewritten.toString(), '{"version":3,"deployment":{"x":{"__proto__":"urn:pulumi:qa::proj::a","urn:pulumi:qa::proj::k":1}}}');
  });
});
