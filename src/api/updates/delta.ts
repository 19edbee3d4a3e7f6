import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';

/** One edit of a delta checkpoint (gotextdiff's TextEdit; the keys are Go's field names). */
interface TextEdit {
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
  const hash = createHash('sha256').update(result).digest('hex');
  if (hash !== expectedHash) {
    throw new ApiError('conflict', `the checkpoint delta yields hash ${hash}, not the expected ${expectedHash}`);
  }
  return result;
}
