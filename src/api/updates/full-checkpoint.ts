// A full checkpoint (`PATCH …/checkpoint`, what older CLIs and PULUMI_OPTIMIZED_CHECKPOINT_PATCH=false
// send): the whole state on every step. It is checked by what changed since the previous one this
// process checked for the update (state-layout.ts), and stored as an untyped deployment that shares
// the body's bytes, with its difference from the previous text found from the same changes.

import { ApiError } from '../../errors.js';
import { deepBodyError } from '../../http/json-depth.js';
import { invalidJsonBodyError } from '../../http/json-syntax.js';
import { inspectFullCheckpoint } from '../state/deployment.js';
import { changedRanges, type ChangedRange, type TextEdit } from './delta.js';
import { PieceText } from './piece-text.js';
import { bufferSlices, checkChangedText, checkWholeText, type StateLayout } from './state-layout.js';

export interface CheckedFullCheckpoint {
  /** The body as the client sent it (after gzip). */
  raw: Buffer;
  layout?: StateLayout;
  /** `{"version":…,"features":…}` */
  head: string;
  /** Where the deployment lies in `raw`. */
  deployment: { start: number; end: number };
  /** `{"version":…[,"features":…],"deployment":<the client's bytes>}`, sharing raw's memory. */
  text: PieceText;
}

/** The checkpoint one was checked against, and the ranges of its body that changed. */
export interface CheckpointChanges {
  base: CheckedFullCheckpoint;
  ranges: ChangedRange[];
}

const refusals = { syntax: invalidJsonBodyError, depth: deepBodyError };

/**
 * Checks a full checkpoint's body, by its changes from `base` when one is given and they can be
 * placed (then `changes` says what they were).
 */
export async function checkFullCheckpoint(
  raw: Buffer | undefined,
  base: CheckedFullCheckpoint | undefined,
): Promise<{ checked: CheckedFullCheckpoint; changes?: CheckpointChanges }> {
  if (!raw?.length) throw new ApiError('bad_request', 'the checkpoint must be a JSON object');
  let parts: ReturnType<typeof inspectFullCheckpoint> | undefined;
  const inspectFrame = (frame: Buffer) => (parts = inspectFullCheckpoint(frame));
  if (base?.layout) {
    const ranges = changedRanges(base.raw, raw, base.layout.elements);
    const layout = checkChangedText(base.layout, bufferSlices(raw), ranges, inspectFrame);
    if (layout) return { checked: assemble(raw, layout, parts!), changes: { base, ranges } };
  }
  const layout = await checkWholeText(raw, refusals, inspectFrame);
  return { checked: assemble(raw, layout, parts!) };
}

function assemble(raw: Buffer, layout: StateLayout | undefined, framed: ReturnType<typeof inspectFullCheckpoint>): CheckedFullCheckpoint {
  // The frame lacks the resources array's contents, which lie inside the deployment.
  const removed = layout ? layout.close - layout.open - 1 : 0;
  const deployment = { start: framed.deployment.start, end: framed.deployment.end + removed };
  const text = PieceText.of(Buffer.from(`${framed.head.slice(0, -1)},"deployment":`), raw.subarray(deployment.start, deployment.end), Buffer.from('}'));
  return { raw, layout, head: framed.head, deployment, text };
}

/**
 * The edits that turn `previous`'s stored text into `checked`'s, from the ranges found while
 * checking it, when it was checked against `previous` and every change lies in the deployment;
 * undefined otherwise (the caller compares the texts).
 */
export function storedEdits(previous: CheckedFullCheckpoint, checked: CheckedFullCheckpoint, changed: CheckpointChanges | undefined): TextEdit[] | undefined {
  if (changed?.base !== previous || previous.head !== checked.head) return undefined;
  const prefix = checked.text.length - (checked.deployment.end - checked.deployment.start) - 1;
  const edits: TextEdit[] = [];
  for (const range of changed.ranges) {
    const inPrevious = range.start >= previous.deployment.start && range.end <= previous.deployment.end;
    const inChecked = range.textStart >= checked.deployment.start && range.textEnd <= checked.deployment.end;
    if (!inPrevious || !inChecked) return undefined;
    edits.push({
      Span: { start: { offset: range.start - previous.deployment.start + prefix }, end: { offset: range.end - previous.deployment.start + prefix } },
      NewText: checked.raw.toString('utf8', range.textStart, range.textEnd),
    });
  }
  return edits;
}
