import { policyPackFolder, stackFolder, type BlobStore } from '../blobs/blob-store.js';
import { deleteExpiredOpenSessions } from '../api/environments/store.js';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/executor.js';
import type { JobHandlers } from './runner.js';
import { deliverWebhookJob, type QueuedDelivery, type WebhookService } from '../api/webhooks/service.js';
import { expireDeploymentClaim, type DeploymentRunService } from '../api/deployments/runs.js';
import { fireDeploymentSchedule, type ScheduleService } from '../api/schedules/service.js';

/** Deletes a deleted stack's blobs: payload `{ stackId }`. */
export const deleteStackBlobs = 'delete-stack-blobs';

/** Deletes the archives of deleted policy pack versions: payload `{versionIds}`. */
export const deletePolicyPackBlobs = 'delete-policy-pack-blobs';

/** Deletes the environment open sessions whose time is up; enqueued to run when one expires. */
export const deleteExpiredEnvironmentSessions = 'delete-expired-environment-sessions';

/** Every kind of background job the server runs. */
export function jobHandlers(deps: { db: Executor; blobs: BlobStore; clock: Clock; webhooks: () => WebhookService; deploymentRuns: () => DeploymentRunService; schedules: () => ScheduleService }): JobHandlers {
  return {
    [expireDeploymentClaim]: async (payload) => {
      await deps.deploymentRuns().expireClaim((payload as { deploymentId: string }).deploymentId);
    },
    [fireDeploymentSchedule]: async (payload) => {
      const { scheduleId, due } = payload as { scheduleId: string; due: number };
      await deps.schedules().fire(scheduleId, due);
    },
    [deliverWebhookJob]: async (payload, job) => {
      await deps.webhooks().deliverQueued(payload as QueuedDelivery, job.attempts);
    },
    [deleteExpiredEnvironmentSessions]: async () => {
      await deleteExpiredOpenSessions(deps.db, deps.clock.now());
    },
    [deleteStackBlobs]: async (payload) => {
      const { stackId } = payload as { stackId: string };
      await deps.blobs.deletePrefix(deps.db, stackFolder(stackId));
    },
    [deletePolicyPackBlobs]: async (payload) => {
      const { versionIds } = payload as { versionIds: string[] };
      for (const id of versionIds) await deps.blobs.deletePrefix(deps.db, policyPackFolder(id));
    },
  };
}
