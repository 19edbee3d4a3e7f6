import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrayAt, rawJsonElements, rawJsonMember, rawJsonMembers, rawJsonValueAt, walkObject } from '../../src/http/raw-json.js';
import { stateEntries, stateParts } from '../../src/api/search/documents.js';

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

  it('walks an object in one pass, reading the members asked for as it goes and skipping the rest', () => {
    const seen: string[] = [];
    let inner: string[] = [];
    const end = walkObject(doc, 0, (name, start) => {
      seen.push(name);
      if (name === 'a') return arrayAt(doc, start)!.end;
      if (name === 'deep') return walkObject(doc, start, (member, at) => (inner.push(`${member}=${text(rawJsonValueAt(doc, at))}`), undefined));
      return undefined;
    });
    assert.deepEqual(seen, ['a', 'q"uote', 'n', 't', 'deep']);
    assert.deepEqual(inner, ['s="\\"}{"', 'arr=[[],{}]']);
    assert.equal(end, doc.length);
    assert.equal(arrayAt(doc, 0), undefined, 'no array there');
    assert.equal(walkObject(Buffer.from('[1]'), 0, () => 0), 0, 'no object there');
    inner = arrayAt(Buffer.from(' [ 1 , "]" ] tail'), 0)!.elements.map((e) => text(e)!);
    assert.deepEqual(inner, ['1', '"]"']);
  });

  it('finds a state\'s resource entries and pending operations in any layout, with one digest of both', () => {
    const state = {
      version: 3,
      deployment: { manifest: { time: 't', plugins: [{ name: ']}"' }] }, resources: [{ urn: 'a' }, { urn: 'b', x: ' ] } ' }], pending_operations: [{ type: 'creating', resource: { urn: 'c' } }], after: 1 },
    };
    const layouts = [JSON.stringify(state), JSON.stringify(state, null, 2), ` ${JSON.stringify(state, null, '\t')} `];
    for (const layout of layouts) {
      const parts = stateParts(Buffer.from(layout));
      assert.deepEqual(parts.resources.map((entry) => JSON.parse(entry.bytes.toString())), state.deployment.resources);
      assert.deepEqual(JSON.parse(parts.operations!.toString()), state.deployment.pending_operations);
      assert.deepEqual([...stateEntries(parts).pending], [['c', 'creating']]);
    }
    const same = { ...state, deployment: { ...state.deployment, manifest: { time: 'later' } } };
    assert.equal(stateParts(Buffer.from(JSON.stringify(same))).digest, stateParts(Buffer.from(layouts[0]!)).digest, 'the manifest is not part of it');
    const moved = { ...state, deployment: { ...state.deployment, pending_operations: [] } };
    assert.notEqual(stateParts(Buffer.from(JSON.stringify(moved))).digest, stateParts(Buffer.from(layouts[0]!)).digest);
    assert.deepEqual(stateParts(undefined).resources, []);
  });
});
