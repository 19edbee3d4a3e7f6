// Engine events as the API reads them: which kind each is, which resource it concerns, and the
// numeric type codes `GET …/events?type=` filters by.
import { ApiError } from '../../errors.js';

/**
 * Every payload field an engine event may carry, in the order of Pulumi's EngineEvent type: an
 * event type code is an index into this list (`pulumi stack history events --event-type 2` asks for
 * diagnostics).
 */
export const eventKinds = [
  'cancelEvent',
  'stdoutEvent',
  'diagnosticEvent',
  'preludeEvent',
  'summaryEvent',
  'resourcePreEvent',
  'resOutputsEvent',
  'resOpFailedEvent',
  'policyEvent',
  'policyRemediationEvent',
  'policyLoadEvent',
  'policyAnalyzeSummaryEvent',
  'policyRemediateSummaryEvent',
  'policyAnalyzeStackSummaryEvent',
  'startDebuggingEvent',
  'progressEvent',
  'errorEvent',
] as const;

/** The event's payload field (`unknown` when it carries none this server knows). */
export function eventKind(event: Record<string, unknown>): string {
  return eventKinds.find((kind) => isObject(event[kind])) ?? Object.keys(event).find((key) => key.endsWith('Event')) ?? 'unknown';
}

/** The URN of the resource the event concerns, wherever its kind keeps it. */
export function eventUrn(event: Record<string, unknown>): string | undefined {
  for (const kind of ['resourcePreEvent', 'resOutputsEvent', 'resOpFailedEvent']) {
    const metadata = (event[kind] as { metadata?: { urn?: unknown } } | undefined)?.metadata;
    if (typeof metadata?.urn === 'string' && metadata.urn) return metadata.urn;
  }
  for (const [kind, field] of [
    ['diagnosticEvent', 'urn'],
    ['policyEvent', 'resourceUrn'],
    ['policyRemediationEvent', 'resourceUrn'],
    ['policyAnalyzeSummaryEvent', 'resourceUrn'],
    ['policyRemediateSummaryEvent', 'resourceUrn'],
  ] as const) {
    const value = (event[kind] as Record<string, unknown> | undefined)?.[field];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** The kinds a `type` filter names: type codes, as clients send them, or payload field names. */
export function kindsOfTypeFilter(values: string[]): string[] {
  return values.map((value) => {
    if (/^[0-9]{1,3}$/.test(value)) {
      const kind = eventKinds[Number(value)];
      if (!kind) throw new ApiError('bad_request', `engine event type ${value} is unknown: codes run from 0 to ${eventKinds.length - 1}`);
      return kind;
    }
    if (!(eventKinds as readonly string[]).includes(value)) {
      throw new ApiError('bad_request', `engine event type '${value}' is unknown: give a code from 0 to ${eventKinds.length - 1} or one of ${eventKinds.join(', ')}`);
    }
    return value;
  });
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null;
