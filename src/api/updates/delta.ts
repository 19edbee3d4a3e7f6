import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';
import { jsonSyntaxError } from '../../http/json-syntax.js';
import { inspectUntypedDeploymentBytes } from '../state/deployment.js';
import type { PieceText } from './piece-text.js';

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
 * on bytes. Any mismatch is a 409, after which the CLI resends the whole text.
 */
export function applyDelta(base: PieceText, edits: unknown, expectedHash: string): PieceText {
  if (!Array.isArray(edits) || !edits.every(isTextEdit)) {
    throw new ApiError('bad_request', 'deploymentDelta must be a list of text edits with Span offsets and NewText');
  }
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.Span.start.offset - b.edit.Span.start.offset || a.index - b.index);
  let cursor = 0;
  const byteEdits = sorted.map(({ edit }) => {
    const { offset: start } = edit.Span.start;
    const { offset: end } = edit.Span.end;
    if (start < cursor || end < start || end > base.length) {
      throw new ApiError('conflict', 'the checkpoint delta does not apply to the previous checkpoint');
    }
    cursor = end;
    return { start, end, text: Buffer.from(edit.NewText, 'utf8') };
  });
  const result = base.edit(byteEdits);
  const hash = result.sha256Hex();
  if (hash !== expectedHash) {
    throw new ApiError('conflict', `the checkpoint delta yields hash ${hash}, not the expected ${expectedHash}`);
  }
  return result;
}

/**
 * Checks that a delta's result is a deployment the server can hand back, as a verbatim checkpoint
 * is checked: a matching hash says only that the CLI computed the same bytes, not that they are
 * JSON, and a text that is not would fail every later read and the update's end.
 */
export function checkDeltaResult(text: PieceText, sequence: number): void {
  const bytes = text.bytes();
  const syntax = jsonSyntaxError(bytes);
  if (syntax) throw new ApiError('bad_request', `checkpoint ${sequence}: the delta's result is not JSON: ${syntax}`);
  try {
    inspectUntypedDeploymentBytes(bytes);
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError('bad_request', `checkpoint ${sequence}: the delta's result is not a deployment: ${error.message}`);
    throw error;
  }
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

/**
 * Edits that turn `base` into `text`, for storing a full checkpoint as its difference from the
 * previous one. The CLI's saves change the manifest's time near the start and a resource and the
 * pending operations further on, so after each difference the texts are brought back in step at
 * the next 32 bytes they share; what cannot be is one edit to the common end. Edit ends stay off
 * the middle of a UTF-8 character, so that every NewText is a whole string.
 */
export function diffText(base: Buffer, text: Buffer): TextEdit[] {
  const edit = (start: number, end: number, textStart: number, textEnd: number): TextEdit => ({
    Span: { start: { offset: start }, end: { offset: end } },
    NewText: text.toString('utf8', textStart, textEnd),
  });
  const shorter = Math.min(base.length, text.length);
  let same = commonRun(base, 0, text, 0, shorter);
  while (same > 0 && isContinuationByte(text[same])) same--;
  let suffix = commonEnd(base, text, shorter - same);
  while (suffix > 0 && isContinuationByte(text[text.length - suffix])) suffix--;
  const baseEnd = base.length - suffix;
  const textEnd = text.length - suffix;
  const edits: TextEdit[] = [];
  let at = same;
  let textAt = same;
  while (at < baseEnd || textAt < textEnd) {
    const anchor = edits.length < maxEdits - 1 ? findAnchor(base, at, baseEnd, text, textAt, textEnd) : undefined;
    if (!anchor) {
      edits.push(edit(at, baseEnd, textAt, textEnd));
      break;
    }
    if (anchor.base > at || anchor.text > textAt) edits.push(edit(at, anchor.base, textAt, anchor.text));
    same = commonRun(base, anchor.base, text, anchor.text, Math.min(baseEnd - anchor.base, textEnd - anchor.text));
    while (same > 0 && isContinuationByte(text[anchor.text + same])) same--;
    at = anchor.base + same;
    textAt = anchor.text + same;
  }
  return edits;
}
