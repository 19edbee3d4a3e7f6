import type { WebhookFilter } from './events.js';
import type { EventContent } from './payloads.js';

/** An environment as events name it. */
export interface EnvironmentNames {
  organization: string;
  project: string;
  name: string;
}

/** What happened to an environment, with the documented payload fields of each kind. */
export type EnvironmentChange =
  | { event: 'environment_created' | 'environment_deleted' }
  | { event: 'environment_revision_created' | 'environment_revision_retracted'; revision: number }
  | { event: 'environment_revision_tag_created' | 'environment_revision_tag_updated' | 'environment_revision_tag_deleted'; tagName: string; revision: number }
  | { event: 'environment_tag_created' | 'environment_tag_updated' | 'environment_tag_deleted'; tagName: string }
  | { event: 'environment_rotation_succeeded' | 'environment_rotation_failed'; revision: number }
  | { event: 'imported_environment_changed'; affectedRevisions: number[]; imported: { project: string; name: string; revision: number } };

const actionOf = (event: string) => (/_created$/.test(event) ? 'created' : /_deleted$/.test(event) ? 'deleted' : /_updated$/.test(event) ? 'updated' : 'retracted');

/** The event's `environment…` payload (after `user` and `organization`) and its chat summary. */
export function environmentEvent(publicUrl: string, env: EnvironmentNames, change: EnvironmentChange, by: string): { event: WebhookFilter; content: EventContent } {
  const label = `${env.organization}/${env.project}/${env.name}`;
  const url = `${publicUrl}/${[env.organization, 'esc', env.project, env.name].map(encodeURIComponent).join('/')}`;
  const base = { projectName: env.project, environmentName: env.name };
  let fields: Record<string, unknown>;
  let title: string;
  switch (change.event) {
    case 'environment_created':
    case 'environment_deleted':
      fields = { ...base, action: actionOf(change.event) };
      title = `Environment ${label} ${actionOf(change.event)}`;
      break;
    case 'environment_revision_created':
    case 'environment_revision_retracted':
      fields = { ...base, action: actionOf(change.event), revision: change.revision };
      title = `Revision ${change.revision} of environment ${label} ${actionOf(change.event)}`;
      break;
    case 'environment_revision_tag_created':
    case 'environment_revision_tag_updated':
    case 'environment_revision_tag_deleted':
      fields = { ...base, action: actionOf(change.event), tagName: change.tagName, revision: change.revision };
      title = `Revision tag ${change.tagName} of environment ${label} ${actionOf(change.event)} (revision ${change.revision})`;
      break;
    case 'environment_tag_created':
    case 'environment_tag_updated':
    case 'environment_tag_deleted':
      fields = { ...base, tagName: change.tagName, action: actionOf(change.event) };
      title = `Tag ${change.tagName} of environment ${label} ${actionOf(change.event)}`;
      break;
    case 'environment_rotation_succeeded':
    case 'environment_rotation_failed': {
      const result = change.event === 'environment_rotation_succeeded' ? 'succeeded' : 'failed';
      fields = { ...base, revision: change.revision, status: result };
      title = `Secret rotation of environment ${label} ${result}`;
      break;
    }
    case 'imported_environment_changed':
      fields = {
        ...base,
        affectedRevisions: change.affectedRevisions,
        importedEnvironmentReference: { projectName: change.imported.project, environmentName: change.imported.name, revision: change.imported.revision },
      };
      title = `Environment ${label} imports ${change.imported.project}/${change.imported.name}, which changed (revision ${change.imported.revision})`;
      break;
  }
  return {
    event: change.event,
    content: {
      fields,
      summary: {
        title: `${title} by ${by}`,
        ...(change.event === 'environment_rotation_succeeded' && { outcome: 'succeeded' as const }),
        ...(change.event === 'environment_rotation_failed' && { outcome: 'failed' as const }),
        facts: [
          ['Environment', label],
          ['By', by],
        ],
        ...(change.event !== 'environment_deleted' && { link: { label: 'View environment', url } }),
      },
    },
  };
}
