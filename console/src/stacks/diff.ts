// What one step of an update changes: the property keys of its diff with their old and new values,
// and the engine's events folded into one timeline entry per step.
import type { EngineEvent, PropertyDiff, StepMetadata } from './types';
import { formatChanges, formatDuration } from './format';
import { nameOfUrn } from './urn';

export type ChangeKind = 'add' | 'delete' | 'update';

export interface PropertyChange {
  key: string;
  kind: ChangeKind;
  /** The change forces the resource to be replaced. */
  replace: boolean;
  old?: unknown;
  new?: unknown;
}

/**
 * A property path as the engine writes detailed-diff keys: `a.b`, `list[0]`, `tags["x.y"]`.
 * Quoted keys may hold dots and brackets.
 */
export function parsePropertyPath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[]+)/g;
  for (let m = pattern.exec(path); m; m = pattern.exec(path)) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) segments.push(m[3]);
  }
  return segments;
}

export function valueAt(root: unknown, path: string): unknown {
  let at: unknown = root;
  for (const segment of parsePropertyPath(path)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[segment];
  }
  return at;
}

const kindOf = (diff: PropertyDiff): ChangeKind => (diff.diffKind.startsWith('add') ? 'add' : diff.diffKind.startsWith('delete') ? 'delete' : 'update');

/**
 * The step's changed properties, keys in order. The engine's detailed diff says what changed and
 * how when the provider gives one; otherwise its `diffs` name the keys; a create shows every new
 * input and a delete every old one, as `pulumi up --diff` does.
 */
export function propertyChanges(step: StepMetadata): PropertyChange[] {
  const oldInputs = step.old?.inputs ?? step.old?.outputs;
  const newInputs = step.new?.inputs ?? step.new?.outputs;
  const replaceKeys = new Set(step.keys ?? []);
  const change = (key: string, kind: ChangeKind, replace: boolean): PropertyChange => {
    const result: PropertyChange = { key, kind, replace };
    if (kind !== 'add') result.old = valueAt(oldInputs, key);
    if (kind !== 'delete') result.new = valueAt(newInputs, key);
    return result;
  };
  const detailed = Object.entries(step.detailedDiff ?? {});
  if (detailed.length > 0) {
    return detailed
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, diff]) => change(key, kindOf(diff), diff.diffKind.endsWith('-replace')));
  }
  if (step.diffs && step.diffs.length > 0) {
    return [...step.diffs].sort().map((key) => {
      const before = valueAt(oldInputs, key);
      const after = valueAt(newInputs, key);
      const kind: ChangeKind = before === undefined ? 'add' : after === undefined ? 'delete' : 'update';
      return change(key, kind, replaceKeys.has(key));
    });
  }
  const userKeys = (inputs: Record<string, unknown> | undefined) => Object.keys(inputs ?? {}).filter((key) => !key.startsWith('__')).sort();
  if (step.op === 'create') return userKeys(step.new?.inputs).map((key) => change(key, 'add', false));
  if (step.op === 'delete') return userKeys(step.old?.inputs).map((key) => change(key, 'delete', false));
  return [];
}

export type StepStatus = 'running' | 'done' | 'failed';

export interface TimelineStep {
  kind: 'step';
  sequence: number;
  timestamp: number;
  op: string;
  urn: string;
  type: string;
  name: string;
  status: StepStatus;
  changes: PropertyChange[];
}

export interface TimelineNote {
  kind: 'diagnostic' | 'summary';
  sequence: number;
  timestamp: number;
  severity: string;
  message: string;
  urn?: string;
}

export type TimelineEntry = TimelineStep | TimelineNote;

/** Strips the CLI's colour markup (`<{%reset%}>`, `<{%fg 1%}>`) from engine messages. */
export const plainMessage = (message: string): string => message.replace(/<\{%[^%]*%\}>/g, '').trimEnd();

/**
 * One entry per step (its pre-event, marked done by its outputs event or failed), plus the
 * diagnostics and the summary; unchanged (`same`) steps are left out and only counted.
 */
export function buildTimeline(events: EngineEvent[]): { entries: TimelineEntry[]; unchanged: number } {
  const entries: TimelineEntry[] = [];
  const open = new Map<string, TimelineStep>();
  let unchanged = 0;
  for (const event of [...events].sort((a, b) => a.sequence - b.sequence)) {
    const pre = event.resourcePreEvent?.metadata;
    if (pre) {
      if (pre.op === 'same') {
        unchanged++;
        continue;
      }
      const step: TimelineStep = {
        kind: 'step',
        sequence: event.sequence,
        timestamp: event.timestamp,
        op: pre.op,
        urn: pre.urn,
        type: pre.type,
        name: nameOfUrn(pre.urn),
        status: 'running',
        changes: propertyChanges(pre),
      };
      open.set(`${pre.op}\n${pre.urn}`, step);
      entries.push(step);
      continue;
    }
    const outputs = event.resOutputsEvent?.metadata;
    if (outputs) {
      const step = open.get(`${outputs.op}\n${outputs.urn}`);
      if (step) step.status = 'done';
      continue;
    }
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) {
      const step = open.get(`${failed.op}\n${failed.urn}`);
      if (step) step.status = 'failed';
      continue;
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && !diagnostic.ephemeral && plainMessage(diagnostic.message)) {
      entries.push({
        kind: 'diagnostic',
        sequence: event.sequence,
        timestamp: event.timestamp,
        // `info#err` is information the program wrote to stderr.
        severity: diagnostic.severity.replace(/#err$/, ''),
        message: plainMessage(diagnostic.message),
        ...(diagnostic.urn && { urn: diagnostic.urn }),
      });
      continue;
    }
    const summary = event.summaryEvent;
    if (summary) {
      const message = `${formatChanges(summary.resourceChanges) || 'no changes'} in ${formatDuration(summary.durationSeconds)}`;
      entries.push({ kind: 'summary', sequence: event.sequence, timestamp: event.timestamp, severity: 'info', message });
    }
  }
  return { entries, unchanged };
}
