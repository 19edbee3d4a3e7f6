// Checking a whole state text that the CLI sends again and again with a few changes, by looking at
// the changes. Full checkpoints carry the whole state on every step of an update, and delta
// checkpoints rebuild it; checking every save's several MB would make each step cost in
// proportion to the state's size. Instead a checked text keeps where its `deployment.resources`
// array and that array's elements lie (its layout), and the next text, known by its changed byte
// ranges, is checked in three parts: the frame (everything outside the array, a few KB), the
// stretches of the array that changed, as a list of elements between the untouched ones, and the
// untouched elements, which are the bytes checked before in the same place. Anything this cannot
// place (a change that reaches the array's brackets, or a text that fails) is checked whole, so
// the error names the byte in the text the client sent.

import { ApiError } from '../../errors.js';
import { jsonDepthExceeds, maxJsonDepth } from '../../http/json-depth.js';
import { jsonSyntaxError, jsonSyntaxErrorOf } from '../../http/json-syntax.js';
import { arrayAt, walkObject } from '../../http/raw-json.js';
import type { ChangedRange } from './delta.js';

/** A text read a stretch at a time: a Buffer, or a PieceText, which joins only what is asked for. */
export interface TextSlices {
  readonly length: number;
  slice(start: number, end: number): Buffer;
}

export const bufferSlices = (bytes: Buffer): TextSlices => ({ length: bytes.length, slice: (start, end) => bytes.subarray(start, end) });

/** Where a checked text's `deployment.resources` array lies: its brackets, and each element's start and end. */
export interface StateLayout {
  open: number;
  close: number;
  /** Start and end of each element, in pairs. */
  elements: Int32Array;
}

/** Why a text is refused, as each route words it. */
export interface TextRefusals {
  syntax(reason: string): ApiError;
  depth(): ApiError;
}

/**
 * Checks `bytes` whole: one JSON value, nested no deeper than any request may be, whose frame
 * (the text with its resources emptied) passes `checkFrame`. Returns its layout, or undefined when
 * it has no resources array.
 */
export async function checkWholeText(bytes: Buffer, refusals: TextRefusals, checkFrame: (frame: Buffer) => void): Promise<StateLayout | undefined> {
  const syntax = await jsonSyntaxErrorOf(bytes);
  if (syntax) throw refusals.syntax(syntax);
  if (jsonDepthExceeds(bytes)) throw refusals.depth();
  const layout = layoutOfJson(bytes);
  checkFrame(layout ? frameOf(bufferSlices(bytes), layout.open, layout.close) : bytes);
  return layout;
}

/**
 * Checks `text`, which is the text `previous` describes with `ranges` changed (in order, not
 * overlapping, in the previous text's offsets), by its frame and its changed stretches only.
 * Returns the new text's layout, or undefined when the changes cannot be checked apart from the
 * rest, or fail: the caller then checks the text whole. `checkFrame` throws to refuse the text.
 */
export function checkChangedText(
  previous: StateLayout,
  text: TextSlices,
  ranges: readonly ChangedRange[],
  checkFrame: (frame: Buffer) => void,
): StateLayout | undefined {
  const { open, close, elements } = previous;
  const shift = (range: ChangedRange) => range.textEnd - range.textStart - (range.end - range.start);

  // An element is untouched when no range starts at or before its end and ends at or after its
  // start: then it, and the byte on either side of it, are as they were, only moved. The stretches
  // between untouched elements that a range reaches are checked as lists of elements.
  const untouched: number[] = [];
  const changedGaps: boolean[] = [];
  let moved = 0;
  let reach = -1;
  let gapChanged = false;
  let k = 0;
  for (let i = 0; i < elements.length; i += 2) {
    const start = elements[i]!;
    const end = elements[i + 1]!;
    let touched = reach >= start;
    while (k < ranges.length && ranges[k]!.start <= end) {
      const range = ranges[k++]!;
      reach = Math.max(reach, range.end);
      moved += shift(range);
      gapChanged ||= range.end > open;
      if (range.end >= start) touched = true;
    }
    if (touched) {
      gapChanged = true;
      continue;
    }
    untouched.push(start + moved, end + moved);
    changedGaps.push(gapChanged);
    gapChanged = false;
  }
  const lastGapChanged = gapChanged || ranges.slice(k).some((range) => range.start <= close);

  // The brackets, moved by the ranges before them, or looked for when a range reaches them.
  const covers = (at: number) => ranges.some((range) => range.start <= at && range.end > at);
  const before = (at: number) => ranges.reduce((sum, range) => (range.end <= at ? sum + shift(range) : sum), 0);
  const firstKept = untouched.length > 0 ? untouched[0]! : text.length;
  const newOpen = covers(open) ? openingAt(text.slice(0, firstKept)) : open + before(open);
  if (newOpen === undefined) return undefined;
  const lastKept = untouched.length > 0 ? untouched[untouched.length - 1]! : newOpen + 1;
  const newClose = covers(close) ? closingAfter(text, lastKept, untouched.length > 0) : close + before(close);
  if (newClose === undefined || newOpen >= firstKept || newClose < lastKept) return undefined;

  // The frame must be JSON whose resources array is the one at newOpen and newClose: a change
  // outside the array could have moved it, or made it something else's.
  const frame = frameOf(text, newOpen, newClose);
  if (jsonSyntaxError(frame) !== undefined || jsonDepthExceeds(frame)) return undefined;
  const framed = layoutOfJson(frame);
  if (!framed || framed.open !== newOpen || framed.close !== newOpen + 1) return undefined;
  checkFrame(frame);

  const next: number[] = [];
  let gapStart = newOpen + 1;
  for (let i = 0; i < untouched.length; i += 2) {
    if (changedGaps[i / 2] && !checkGap(text, gapStart, untouched[i]!, i > 0, true, next)) return undefined;
    next.push(untouched[i]!, untouched[i + 1]!);
    gapStart = untouched[i + 1]!;
  }
  if ((lastGapChanged || untouched.length === 0) && !checkGap(text, gapStart, newClose, untouched.length > 0, false, next)) return undefined;
  return { open: newOpen, close: newClose, elements: Int32Array.from(next) };
}

/** Where the resources array opens in the start of a text (before its first untouched element), not yet checked. */
function openingAt(head: Buffer): number | undefined {
  let found: number | undefined;
  try {
    walkObject(head, 0, (name, start) => {
      if (name !== 'deployment' || head[start] !== 0x7b /* { */) return undefined;
      walkObject(head, start, (inner, at) => {
        if (inner !== 'resources') return undefined;
        if (head[at] === 0x5b /* [ */) found = at;
        return head.length;
      });
      return head.length;
    });
  } catch {
    return undefined; // a member name that is not a JSON string: the whole check says where
  }
  return found;
}

/** Where the array that continues at `from` (just past an element, or just inside its bracket) closes. */
function closingAfter(text: TextSlices, from: number, afterElement: boolean): number | undefined {
  const prefix = afterElement ? '[null' : '[';
  const doc = Buffer.concat([Buffer.from(prefix), text.slice(from, text.length)]);
  const array = arrayAt(doc, 0);
  return array && doc[array.end - 1] === 0x5d /* ] */ ? array.end - 1 - prefix.length + from : undefined;
}

/**
 * Checks the stretch of the array between two untouched elements (or a bracket): with a stand-in
 * for each neighbouring element, it must be a JSON array. Adds the elements it holds to `found`.
 */
function checkGap(text: TextSlices, from: number, to: number, afterElement: boolean, beforeElement: boolean, found: number[]): boolean {
  const prefix = afterElement ? '[null' : '[';
  const doc = Buffer.concat([Buffer.from(prefix), text.slice(from, to), Buffer.from(beforeElement ? 'null]' : ']')]);
  // The array sits at depth 3 of the document: in the deployment, in the checkpoint.
  if (jsonSyntaxError(doc) !== undefined || jsonDepthExceeds(doc, maxJsonDepth - 2)) return false;
  const elements = arrayAt(doc, 0)!.elements;
  for (let i = afterElement ? 1 : 0; i < elements.length - (beforeElement ? 1 : 0); i++) {
    const at = elements[i]!.byteOffset - doc.byteOffset - prefix.length + from;
    found.push(at, at + elements[i]!.length);
  }
  return true;
}

/** The text with its resources array emptied. */
function frameOf(text: TextSlices, open: number, close: number): Buffer {
  return Buffer.concat([text.slice(0, open + 1), text.slice(close, text.length)]);
}

/** The layout of a text known to be JSON; undefined when its deployment has no resources array. */
export function layoutOfJson(bytes: Buffer): StateLayout | undefined {
  let layout: StateLayout | undefined;
  walkObject(bytes, 0, (name, start) => {
    if (name !== 'deployment') return undefined;
    if (bytes[start] !== 0x7b /* { */) return undefined; // the frame's check refuses it
    layout = undefined; // of a repeated member, the last counts, as for JSON.parse
    return walkObject(bytes, start, (inner, at) => {
      if (inner !== 'resources') return undefined;
      const array = arrayAt(bytes, at);
      if (!array) {
        layout = undefined;
        return undefined;
      }
      const elements = new Int32Array(array.elements.length * 2);
      array.elements.forEach((element, index) => {
        elements[2 * index] = element.byteOffset - bytes.byteOffset;
        elements[2 * index + 1] = element.byteOffset - bytes.byteOffset + element.length;
      });
      layout = { open: at, close: array.end - 1, elements };
      return array.end;
    });
  });
  return layout;
}
