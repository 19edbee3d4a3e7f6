import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';
import { maxJsonDepth } from '../../http/json-depth.js';
import { inspectUntypedDeploymentBytes } from '../state/deployment.js';
import { crc32Prefix, type PieceText } from './piece-text.js';
import { checkChangedText, checkWholeText, type StateLayout } from './state-layout.js';

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** One edit of a delta checkpoint (gotextdiff's TextEdit; the keys are Go's field names). */
export interface TextEdit {
  Span: { start: { offset: number }; end: { offset: number } };
  NewText: string;
}

function isTextEdit(value: unknown): value is TextEdit {
  const edit = value as TextEdit;
  return (
    typeof edit === 'object' &&
    edit !== null &&
    typeof edit.NewText === 'string' &&
    Number.isInteger(edit.Span?.start?.offset) &&
    Number.isInteger(edit.Span?.end?.offset)
  );
}

/**
 * Applies the CLI's byte-offset edits to the previous checkpoint text and checks the result
 * against the SHA-256 the CLI computed. Offsets count bytes of Go strings, so all of it works
 * on bytes. Any mismatch is a 409, after which the CLI resends the whole text. Returns the text
 * and the ranges of the previous one that changed. Stored edits (`stored`) may instead carry the
 * CRC-32 the server kept with edits it found itself (piece-text.ts); a client's never do.
 */
export function applyDelta(base: PieceText, edits: unknown, expectedHash: string, stored = false): { text: PieceText; ranges: ChangedRange[] } {
  if (!Array.isArray(edits) || !edits.every(isTextEdit)) {
    throw new ApiError('bad_request', 'deploymentDelta must be a list of text edits with Span offsets and NewText');
  }
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.Span.start.offset - b.edit.Span.start.offset || a.index - b.index);
  let cursor = 0;
  let shift = 0;
  const ranges: ChangedRange[] = [];
  const byteEdits = sorted.map(({ edit }) => {
    const { offset: start } = edit.Span.start;
    const { offset: end } = edit.Span.end;
    if (start < cursor || end < start || end > base.length) {
      throw new ApiError('conflict', 'the checkpoint delta does not apply to the previous checkpoint');
    }
    cursor = end;
    const text = Buffer.from(edit.NewText, 'utf8');
    ranges.push({ start, end, textStart: start + shift, textEnd: start + shift + text.length });
    shift += text.length - (end - start);
    return { start, end, text };
  });
  const result = base.edit(byteEdits);
  const hash = stored && expectedHash.startsWith(crc32Prefix) ? result.crc32Check() : result.sha256Hex();
  if (hash !== expectedHash) {
    throw new ApiError('conflict', `the checkpoint delta yields hash ${hash}, not the expected ${expectedHash}`);
  }
  return { text: result, ranges };
}

/**
 * Checks that a delta's result is a deployment the server can hand back, as a verbatim checkpoint
 * is checked: a matching hash says only that the CLI computed the same bytes, not that they are
 * JSON, and a text that is not would fail every later read and the update's end. With the
 * previous text's layout, only what changed is looked at. Returns the result's layout.
 */
export async function checkDeltaResult(
  text: PieceText,
  sequence: number,
  previous?: { layout: StateLayout; ranges: readonly ChangedRange[] },
): Promise<StateLayout | undefined> {
  const notADeployment = (error: unknown) =>
    error instanceof ApiError ? new ApiError('bad_request', `checkpoint ${sequence}: the delta's result is not a deployment: ${error.message}`) : error;
  const inspect = (frame: Buffer) => {
    try {
      inspectUntypedDeploymentBytes(frame);
    } catch (error) {
      throw notADeployment(error);
    }
  };
  const layout = previous && checkChangedText(previous.layout, text, previous.ranges, inspect);
  if (layout) return layout;
  return checkWholeText(text.bytes(), {
    syntax: (reason) => new ApiError('bad_request', `checkpoint ${sequence}: the delta's result is not JSON: ${reason}`),
    depth: () => new ApiError('bad_request', `checkpoint ${sequence}: the delta's result nests arrays and objects more than ${maxJsonDepth} levels deep`),
  }, inspect);
}

/** Bytes compared at a time while looking for the next difference; memcmp is far faster than a byte loop. */
const diffBlock = 16384;
/** Bytes that must match for two texts to be taken as back in step after a difference. */
const anchorLength = 32;
/** How far into the new text an anchor is taken from, and how far the old text is searched for it. */
const anchorSkips = [0, 16, 64, 256, 1024, 4096];
const anchorWindow = 65536;
/** Past this many edits the rest of the text becomes one edit. */
const maxEdits = 16;

const isContinuationByte = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** How many bytes `a` from `aAt` and `b` from `bAt` have in common, up to `limit`. */
function commonRun(a: Buffer, aAt: number, b: Buffer, bAt: number, limit: number): number {
  let length = 0;
  while (length + diffBlock <= limit && a.subarray(aAt + length, aAt + length + diffBlock).equals(b.subarray(bAt + length, bAt + length + diffBlock))) {
    length += diffBlock;
  }
  while (length < limit && a[aAt + length] === b[bAt + length]) length++;
  return length;
}

/** How many bytes `a` and `b` have in common at their ends, up to `limit`. */
function commonEnd(a: Buffer, b: Buffer, limit: number): number {
  let length = 0;
  while (length + diffBlock <= limit && a.subarray(a.length - length - diffBlock, a.length - length).equals(b.subarray(b.length - length - diffBlock, b.length - length))) {
    length += diffBlock;
  }
  while (length < limit && a[a.length - 1 - length] === b[b.length - 1 - length]) length++;
  return length;
}

/** Where the texts are back in step after differing at `base[from]` and `text[textFrom]`. */
function findAnchor(base: Buffer, from: number, baseEnd: number, text: Buffer, textFrom: number, textEnd: number) {
  for (const skip of anchorSkips) {
    let at = textFrom + skip;
    while (isContinuationByte(text[at])) at++;
    if (at + anchorLength > textEnd) return undefined;
    const found = base.subarray(from, Math.min(baseEnd, from + anchorWindow)).indexOf(text.subarray(at, at + anchorLength));
    if (found >= 0) return { base: from + found, text: at };
  }
  return undefined;
}

/** Bytes `start` to `end` of a base text that became bytes `textStart` to `textEnd` of the new one. */
export interface ChangedRange {
  start: number;
  end: number;
  textStart: number;
  textEnd: number;
}

/** How far past a difference an element of the base is looked for in the new text: past a few elements moved there. */
const elementWindow = 262144;
/** The elements at and after a difference whose bytes are looked for, in order. */
const elementTries = 3;

/** The first element (by index) of `elements` (start and end pairs, in order) that ends after `at`. */
function elementEndingAfter(elements: Int32Array, at: number): number {
  let low = 0;
  let high = elements.length / 2;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (elements[2 * middle + 1]! <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Where the texts are back in step after differing at `base[from]` and `text[textFrom]` inside
 * the base's resources array, found by an element's whole bytes: its URN makes them unique,
 * where any 32 bytes recur in every resource. During an update the CLI moves each resource it
 * has processed to the front of the array, so one save inserts a resource where others follow
 * unchanged, and removes it further on. A difference inside an element is taken back to the
 * element's start (no earlier than `floor`, where the bytes last agreed from), so a range is
 * whole elements: an inserted one is found by the next element's bytes further on, a removed or
 * changed one by the next element's bytes where it was.
 */
function elementAnchor(base: Buffer, from: number, baseEnd: number, text: Buffer, textFrom: number, textEnd: number, elements: Int32Array, floor: number) {
  let index = elementEndingAfter(elements, from);
  const count = elements.length / 2;
  if (index >= count) return undefined;
  const rewind = Math.max(0, Math.min(from - elements[2 * index]!, from - floor));
  const start = from - rewind;
  const textStart = textFrom - rewind;
  for (let tries = 0; tries < elementTries && index < count; tries++, index++) {
    const elementStart = elements[2 * index]!;
    const elementEnd = elements[2 * index + 1]!;
    // Only an element before the common end is sure to carry both texts past `from` when found.
    if (elementEnd > baseEnd) break;
    if (elementStart < start) continue; // the element the difference is in, when it began before `floor`
    const element = base.subarray(elementStart, elementEnd);
    const window = Math.max(elementWindow, 4 * element.length);
    const found = text.subarray(textStart, Math.min(textEnd, textStart + window + element.length)).indexOf(element);
    if (found >= 0) return { start, textStart, base: elementStart, text: textStart + found };
  }
  return undefined;
}

/**
 * Where `text` differs from `base`, in order. The CLI's saves change the manifest's time near the
 * start and a resource and the pending operations further on, so after each difference the texts
 * are brought back in step: inside the resources array, when the base's `elements` are known (its
 * layout), at the next of its elements found whole (elementAnchor); elsewhere at the next 32
 * bytes they share. What cannot be is one range to the common end. Range ends stay off the
 * middle of a UTF-8 character.
 */
export function changedRanges(base: Buffer, text: Buffer, elements?: Int32Array): ChangedRange[] {
  const shorter = Math.min(base.length, text.length);
  let same = commonRun(base, 0, text, 0, shorter);
  while (same > 0 && isContinuationByte(text[same])) same--;
  let suffix = commonEnd(base, text, shorter - same);
  while (suffix > 0 && isContinuationByte(text[text.length - suffix])) suffix--;
  const baseEnd = base.length - suffix;
  const textEnd = text.length - suffix;
  const ranges: ChangedRange[] = [];
  let at = same;
  let textAt = same;
  // Where the bytes before `at` last agreed from.
  let agreed = 0;
  const inArray = (offset: number) => elements !== undefined && elements.length > 0 && offset >= elements[0]! && offset < elements[elements.length - 1]!;
  while (at < baseEnd || textAt < textEnd) {
    let anchor: { start: number; textStart: number; base: number; text: number } | undefined;
    if (ranges.length < maxEdits - 1) {
      anchor = inArray(at) ? elementAnchor(base, at, baseEnd, text, textAt, textEnd, elements!, agreed) : undefined;
      if (!anchor) {
        const found = findAnchor(base, at, baseEnd, text, textAt, textEnd);
        anchor = found && { start: at, textStart: textAt, ...found };
      }
    }
    if (!anchor) {
      ranges.push({ start: at, end: baseEnd, textStart: textAt, textEnd });
      break;
    }
    if (anchor.base > anchor.start || anchor.text > anchor.textStart) {
      ranges.push({ start: anchor.start, end: anchor.base, textStart: anchor.textStart, textEnd: anchor.text });
    }
    same = commonRun(base, anchor.base, text, anchor.text, Math.min(baseEnd - anchor.base, textEnd - anchor.text));
    while (same > 0 && isContinuationByte(text[anchor.text + same])) same--;
    agreed = anchor.base;
    at = anchor.base + same;
    textAt = anchor.text + same;
  }
  return ranges;
}

/**
 * Edits that turn `base` into `text`, for storing a full checkpoint as its difference from the
 * previous one; each NewText is a whole string, since no range ends inside a character.
 */
export function diffText(base: Buffer, text: Buffer): TextEdit[] {
  return changedRanges(base, text).map((range) => ({
    Span: { start: { offset: range.start }, end: { offset: range.end } },
    NewText: text.toString('utf8', range.textStart, range.textEnd),
  }));
}
