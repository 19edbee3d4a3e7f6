// Checks that bytes are one well-formed JSON value without building it. A full checkpoint carries
// the whole state, several MB, on every step of an update; JSON.parse would make an object tree of
// ten times that size per save only to be thrown away, since the server keeps the client's bytes.

import { ApiError } from '../errors.js';
import { yieldToEventLoop } from '../yield.js';

/** The 400 every route gives a body that is not JSON, saying where it goes wrong. */
export const invalidJsonBodyError = (reason: string) => new ApiError('bad_request', `request body is not valid JSON: ${reason}`);

const enum Container {
  Object,
  Array,
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && (isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

class SyntaxFailure extends Error {}

/** Why `bytes` is not one JSON value (RFC 8259), naming the byte; undefined when it is one. */
export function jsonSyntaxError(bytes: Buffer): string | undefined {
  try {
    for (const _ of checkJson(bytes, Infinity));
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxFailure) return error.message;
    throw error;
  }
}

/** Documents from this size on are checked, and parsed, a slice of it at a time. */
export const largeJsonBytes = 1024 * 1024;

/** jsonSyntaxError; a large document a slice at a time, so other requests are served meanwhile. */
export function jsonSyntaxErrorOf(bytes: Buffer): Promise<string | undefined> | string | undefined {
  return bytes.length < largeJsonBytes ? jsonSyntaxError(bytes) : jsonSyntaxErrorYielding(bytes, largeJsonBytes);
}

/** jsonSyntaxError for large documents: other requests are served after every `sliceBytes` checked. */
export async function jsonSyntaxErrorYielding(bytes: Buffer, sliceBytes: number): Promise<string | undefined> {
  try {
    for (const _ of checkJson(bytes, sliceBytes)) await yieldToEventLoop();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxFailure) return error.message;
    throw error;
  }
}

function fail(bytes: Buffer, at: number, expected: string): never {
  if (at >= bytes.length) throw new SyntaxFailure(`unexpected end of JSON input, expected ${expected}`);
  const c = bytes[at]!;
  const shown = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  throw new SyntaxFailure(`unexpected ${shown} at byte ${at}, expected ${expected}`);
}

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

/** The end of the string that opens at `at` (its quote). */
function endOfString(bytes: Buffer, at: number): number {
  let i = at + 1;
  for (;;) {
    let c = bytes[i];
    // The bulk of a state is string content: a tight loop over ordinary bytes.
    while (c !== undefined && c !== 0x22 && c !== 0x5c && c >= 0x20) c = bytes[++i];
    if (c === 0x22) return i + 1;
    if (c === undefined) fail(bytes, i, 'the end of a string');
    if (c !== 0x5c) fail(bytes, i, 'a character that may stand in a string (control characters must be escaped)');
    const escape = bytes[i + 1];
    if (escape === 0x75 /* u */) {
      for (let k = 2; k < 6; k++) if (!isHex(bytes[i + k])) fail(bytes, i + k, 'a hexadecimal digit of a \\u escape');
      i += 6;
    } else if (escape !== undefined && '"\\/bfnrt'.includes(String.fromCharCode(escape))) {
      i += 2;
    } else {
      fail(bytes, i + 1, 'an escape character');
    }
  }
}

function endOfNumber(bytes: Buffer, at: number): number {
  let i = at;
  if (bytes[i] === 0x2d /* - */) i++;
  if (bytes[i] === 0x30) i++;
  else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
  else fail(bytes, i, 'a digit');
  if (bytes[i] === 0x2e /* . */) {
    i++;
    if (!isDigit(bytes[i])) fail(bytes, i, 'a digit after the decimal point');
    while (isDigit(bytes[i])) i++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45 /* e E */) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
    if (!isDigit(bytes[i])) fail(bytes, i, 'a digit of the exponent');
    while (isDigit(bytes[i])) i++;
  }
  return i;
}

function endOfLiteral(bytes: Buffer, at: number, literal: string): number {
  for (let k = 0; k < literal.length; k++) {
    if (bytes[at + k] !== literal.charCodeAt(k)) fail(bytes, at + k, `'${literal}'`);
  }
  return at + literal.length;
}

/**
 * Walks the value with an explicit stack, so deep nesting cannot overflow the call stack. Pauses
 * (yields) each time another `sliceBytes` have been checked, at the start of a value.
 */
function* checkJson(bytes: Buffer, sliceBytes: number): Generator<void, void> {
  const open: Container[] = [];
  let i = skipSpace(bytes, 0);
  let pauseAt = sliceBytes;
  for (;;) {
    if (i >= pauseAt) {
      yield;
      pauseAt = i + sliceBytes;
    }
    // A value starts at i.
    const c = bytes[i];
    if (c === 0x7b /* { */) {
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === 0x7d) i++;
      else {
        open.push(Container.Object);
        i = memberValue(bytes, i);
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === 0x5d) i++;
      else {
        open.push(Container.Array);
        continue;
      }
    } else if (c === 0x22) i = endOfString(bytes, i);
    else if (c === 0x2d || isDigit(c)) i = endOfNumber(bytes, i);
    else if (c === 0x74) i = endOfLiteral(bytes, i, 'true');
    else if (c === 0x66) i = endOfLiteral(bytes, i, 'false');
    else if (c === 0x6e) i = endOfLiteral(bytes, i, 'null');
    else fail(bytes, i, 'a value');

    // A value ended before i: close the containers it completes, or move to the next element.
    for (;;) {
      i = skipSpace(bytes, i);
      const container = open[open.length - 1];
      if (container === undefined) {
        if (i < bytes.length) fail(bytes, i, 'the end of the input after the value');
        return;
      }
      const close = container === Container.Object ? 0x7d : 0x5d;
      if (bytes[i] === close) {
        open.pop();
        i++;
        continue;
      }
      if (bytes[i] !== 0x2c /* , */) fail(bytes, i, container === Container.Object ? "',' or '}'" : "',' or ']'");
      i = skipSpace(bytes, i + 1);
      if (container === Container.Object) i = memberValue(bytes, i);
      break;
    }
  }
}

/** Past a member's key and colon, to where its value starts. */
function memberValue(bytes: Buffer, at: number): number {
  if (bytes[at] !== 0x22) fail(bytes, at, 'a member name in quotes');
  const i = skipSpace(bytes, endOfString(bytes, at));
  if (bytes[i] !== 0x3a /* : */) fail(bytes, i, "':' after a member name");
  return skipSpace(bytes, i + 1);
}
