import type { WebhookFilter } from './events.js';
import type { EventContent } from './payloads.js';

/** A stack as events name it. */
export interface StackNames {
  organization: string;
  project: string;
  stack: string;
}

export const stackPath = (s: StackNames) => [s.organization, s.project, s.stack].map(encodeURIComponent).join('/');
export const stackLabel = (s: StackNames) => `${s.organization}/${s.project}/${s.stack}`;

/** `stack_created` / `stack_deleted`: Pulumi's `stack` payload. */
export function stackEvent(publicUrl: string, stack: StackNames, action: 'created' | 'deleted', by: string): { event: WebhookFilter; content: EventContent } {
  return {
    event: action === 'created' ? 'stack_created' : 'stack_deleted',
    content: {
      fields: { action, projectName: stack.project, stackName: stack.stack },
      summary: {
        title: `Stack ${stackLabel(stack)} ${action} by ${by}`,
        facts: [
          ['Stack', stackLabel(stack)],
          ['By', by],
        ],
        ...(action === 'created' && { link: { label: 'View stack', url: `${publicUrl}/${stackPath(stack)}` } }),
      },
    },
  };
}

/** What an ended update was, as its events report it. */
export interface EndedUpdate {
  id: string;
  /** The program kind its path named: update, preview, refresh or destroy. */
  kind: string;
  dryRun: boolean;
  version: number;
  succeeded: boolean;
  /** The engine's summary (`{"create": 3, "same": 28}`), as the CLI sent it; null when none came. */
  resourceChanges: string | null;
}

const operationOfKind: Record<string, string> = { update: 'update', preview: 'update', refresh: 'refresh', destroy: 'destroy' };

/**
 * The `stack_update` or `stack_preview` event of an update that ended: Pulumi's payload with the
 * result, the resource changes (zero counts left out, as Pulumi does) and the update's link.
 */
export function updateEndedEvent(publicUrl: string, stack: StackNames, update: EndedUpdate, by: string | undefined): { event: WebhookFilter; content: EventContent } | undefined {
  const operation = operationOfKind[update.kind];
  if (!operation) return undefined;
  const result = update.succeeded ? 'succeeded' : 'failed';
  const event = `${update.dryRun ? 'preview' : operation}_${result}` as WebhookFilter;
  const changes = resourceChanges(update.resourceChanges);
  const updateUrl = update.dryRun ? `${publicUrl}/${stackPath(stack)}/previews/${update.id}` : `${publicUrl}/${stackPath(stack)}/updates/${update.version}`;
  const verb = update.dryRun ? `Preview of ${operation}` : operation[0]!.toUpperCase() + operation.slice(1);
  const changeText = Object.entries(changes)
    .map(([op, count]) => `${op} ${count}`)
    .join(', ');
  return {
    event,
    content: {
      fields: { projectName: stack.project, stackName: stack.stack, updateUrl, kind: operation, result, resourceChanges: changes, isPreview: update.dryRun },
      summary: {
        title: `${verb} ${result} on ${stackLabel(stack)}${update.dryRun ? '' : ` (version ${update.version})`}`,
        outcome: result,
        facts: [
          ['Stack', stackLabel(stack)],
          ['Operation', update.dryRun ? `preview (${operation})` : operation],
          ...(by ? ([['By', by]] as [string, string][]) : []),
          ['Resources', changeText || 'no changes'],
        ],
        link: { label: update.dryRun ? 'View preview' : 'View update', url: updateUrl },
      },
    },
  };
}

function resourceChanges(json: string | null): Record<string, number> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] !== 0));
  } catch {
    return {};
  }
}
