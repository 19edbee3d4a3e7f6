import type { UpdateResult } from './types';

const labels: Record<UpdateResult, string> = {
  'not-started': 'not started',
  'in-progress': 'in progress',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** An update's result as a badge (`.badge.succeeded` / `.badge.failed` colour it). */
export function ResultBadge({ result }: { result: UpdateResult }) {
  return <span className={`badge ${result}`}>{labels[result] ?? result}</span>;
}
