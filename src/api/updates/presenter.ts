import type { UpdateStatus } from '../../db/schema.js';
import type { HistoryRow, UpdateRow } from './store.js';

/** `UpdateInfo` as `pulumi stack history` reads it (apitype/history.go). */
export interface UpdateInfoView {
  kind: string;
  startTime: number;
  message: string;
  environment: Record<string, string>;
  config: Record<string, unknown>;
  result: 'not-started' | 'in-progress' | 'succeeded' | 'failed';
  endTime: number;
  version: number;
  resourceChanges?: Record<string, number>;
  resourceCount?: number;
}

const resultByStatus: Record<UpdateStatus, UpdateInfoView['result']> = {
  'not started': 'not-started',
  running: 'in-progress',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'failed',
};

const seconds = (ms: number) => Math.floor(ms / 1000);

export function updateInfo(row: UpdateRow): UpdateInfoView {
  return {
    kind: row.kind,
    startTime: seconds(row.started_at ?? row.created_at),
    message: row.message,
    environment: JSON.parse(row.environment) as Record<string, string>,
    config: JSON.parse(row.config) as Record<string, unknown>,
    result: resultByStatus[row.status],
    endTime: row.ended_at === null ? 0 : seconds(row.ended_at),
    version: row.version,
    ...(row.resource_changes !== null && { resourceChanges: JSON.parse(row.resource_changes) as Record<string, number> }),
    ...(row.resource_count !== null && { resourceCount: row.resource_count }),
  };
}

/** The service's richer entry (`?output-type=service`, previews, `updates/latest`). */
export function serviceUpdate(row: HistoryRow, latestVersion: number) {
  return {
    info: updateInfo(row),
    updateID: row.id,
    version: row.version,
    latestVersion,
    requestedBy: { name: row.author_name, githubLogin: row.author_login, avatarUrl: row.author_avatar_url },
    policyPacks: [],
  };
}
