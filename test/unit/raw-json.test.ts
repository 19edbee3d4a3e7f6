import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawJsonElements, rawJsonMember, rawJsonMembers } from '../../src/http/raw-json.js';

const text = (bytes: Buffer | undefined) => bytes?.toString('utf8');

describe('slicing JSON without parsing it', () => {
  const doc = Buffer.from(' { "a" : [1, {"b":"]}"}] ,"q\\"uote":"x\\\\","n": -1.5e3 , "t":true,"deep":{"s":"\\"}{","arr":[[],{}]}}');

  it('finds each member’s exact bytes, however strings hide brackets and quotes', () => {
    assert.equal(text(rawJsonMember(doc, 'a')), '[1, {"b":"]}"}]');
    assert.equal(text(rawJsonMember(doc, 'q"uote')), '"x\\\\"');
    assert.equal(text(rawJsonMember(doc, 'n')), '-1.5e3');
    assert.equal(text(rawJsonMember(doc, 't')), 'true');
    assert.equal(text(rawJsonMember(doc, 'deep')), '{"s":"\\"}{","arr":[[],{}]}');
    assert.equal(rawJsonMember(doc, 'missing'), undefined);
    assert.deepEqual([...rawJsonMembers(doc).keys()], ['a', 'q"uote', 'n', 't', 'deep']);
  });

  it('splits an array into its elements, each parseable alone', () => {
    const elements = rawJsonElements(Buffer.from('[ {"x":"a,b"} , [1,2],"s\\\\",null,3 ]'));
    assert.deepEqual(elements.map(text), ['{"x":"a,b"}', '[1,2]', '"s\\\\"', 'null', '3']);
    for (const element of elements) JSON.parse(element.toString());
    assert.deepEqual(rawJsonElements(Buffer.from('[]')), []);
    assert.deepEqual(rawJsonElements(Buffer.from('{}')), []);
  });
});
