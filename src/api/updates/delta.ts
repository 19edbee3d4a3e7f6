import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';

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
 * on Buffers. Any mismatch is a 409, after which the CLI resends the whole text.
 */
export function applyDelta(base: Buffer, edits: unknown, expectedHash: string): Buffer {
  if (!Array.isArray(edits) || !edits.every(isTextEdit)) {
    throw new ApiError('bad_request', 'deploymentDelta must be a list of text edits with Span offsets and NewText');
  }
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.Span.start.offset - b.edit.Span.start.offset || a.index - b.index);
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const { edit } of sorted) {
    const { offset: start } = edit.Span.start;
    const { offset: end } = edit.Span.end;
    if (start < cursor || end < start || end > base.length) {
      throw new ApiError('conflict', 'the checkpoint delta does not apply to the previous checkpoint');
    }
    parts.push(base.subarray(cursor, start), Buffer.from(edit.NewText, 'utf8'));
    cursor = end;
  }
  parts.push(base.subarray(cursor));
  const result = Buffer.concat(parts);
  const hash = sha256Hex(result);
  if (hash !== expectedHash) {
    throw new ApiError('conflict', `the checkpoint delta yields hash ${hash}, not the expected ${expectedHash}`);
  }
  return result;
}

/** Bytes compared at a time while looking for the first difference; memcmp is far faster than a byte loop. */
const diffBlock = 16384;

/** Length of the longest common prefix of `a` and `b` (or, with `fromEnd`, of their suffixes). */
function commonLength(a: Buffer, b: Buffer, limit: number, fromEnd: boolean): number {
  const slice = (bytes: Buffer, from: number, to: number) => (fromEnd ? bytes.subarray(bytes.length - to, bytes.length - from) : bytes.subarray(from, to));
  let length = 0;
  while (length + diffBlock <= limit && slice(a, length, length + diffBlock).equals(slice(b, length, length + diffBlock))) length += diffBlock;
  const at = (bytes: Buffer, index: number) => bytes[fromEnd ? bytes.length - 1 - index : index];
  while (length < limit && at(a, length) === at(b, length)) length++;
  return length;
}

const isContinuationByte = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/**
 * The one edit that turns `base` into `text`: everything between their common prefix and common
 * suffix. The CLI's saves change one resource and the pending operations after it, so the edit is
 * small; its ends stay off the middle of a UTF-8 character so that NewText is a whole string.
 */
export function diffText(base: Buffer, text: Buffer): TextEdit {
  const shorter = Math.min(base.length, text.length);
  let prefix = commonLength(base, text, shorter, false);
  while (prefix > 0 && isContinuationByte(text[prefix])) prefix--;
  let suffix = commonLength(base, text, shorter - prefix, true);
  while (suffix > 0 && isContinuationByte(text[text.length - suffix])) suffix--;
  return {
    Span: { start: { offset: prefix }, end: { offset: base.length - suffix } },
    NewText: text.toString('utf8', prefix, text.length - suffix),
  };
}
