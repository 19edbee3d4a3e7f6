import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonSyntaxError } from '../../src/http/json-syntax.js';

const check = (text: string) => jsonSyntaxError(Buffer.from(text));

describe('jsonSyntaxError', () => {
  it('accepts every kind of JSON value, nested, with any spacing', () => {
    for (const text of ['0', '-1.5e+10', '"é\\u00e9\\n\\/"', 'true', 'false', 'null', '[]', '{}', ' { "a" : [1, {"b": null}, "c"] ,"d":{}} ', '[[[[]]]]']) {
      assert.equal(check(text), undefined, text);
    }
  });

  it('names what is wrong and where', () => {
    assert.equal(check('{"a":1,}'), "unexpected '}' at byte 7, expected a member name in quotes");
    assert.equal(check('[1 2]'), "unexpected '2' at byte 3, expected ',' or ']'");
    assert.equal(check('{"a" 1}'), "unexpected '1' at byte 5, expected ':' after a member name");
    assert.equal(check('{"a":1'), "unexpected end of JSON input, expected ',' or '}'");
    assert.equal(check('"tab\there"'), 'unexpected byte 0x09 at byte 4, expected a character that may stand in a string (control characters must be escaped)');
    assert.equal(check('"\\x"'), "unexpected 'x' at byte 2, expected an escape character");
    assert.equal(check('01'), "unexpected '1' at byte 1, expected the end of the input after the value");
    assert.equal(check('1.'), 'unexpected end of JSON input, expected a digit after the decimal point');
    assert.equal(check('tru'), "unexpected end of JSON input, expected 'true'");
    assert.equal(check(''), 'unexpected end of JSON input, expected a value');
    assert.equal(check('{} {}'), "unexpected '{' at byte 3, expected the end of the input after the value");
  });

  it('agrees with JSON.parse on random texts, and survives deep nesting', () => {
    let seed = 11;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pieces = ['{', '}', '[', ']', ',', ':', '"a"', '"', '1', '-', '.5', 'e3', 'true', 'nul', ' ', '\\', '"\\u12"'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('');
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      assert.equal(check(text) === undefined, parses, text);
    }
    assert.equal(check('['.repeat(100_000) + ']'.repeat(100_000)), undefined);
  });
});
