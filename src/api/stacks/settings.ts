import type { Caller } from '../../auth/caller.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { findUserById } from '../user/store.js';
import type { StackRef, StackService } from './service.js';
import * as store from './store.js';

/** Where an ESC environment holds a stack's configuration (Pulumi's `StackConfig`). */
export interface StackConfig {
  environment: string;
  secretsProvider?: string;
  encryptedKey?: string;
  encryptionSalt?: string;
}

export interface StackNotificationSettings {
  notifyUpdateFailure: boolean;
  notifyUpdateSuccess: boolean;
}

export interface StackMetadata {
  id: string;
  orgName: string;
  projectName: string;
  stackName: string;
  ownedBy: { name: string; githubLogin: string; avatarUrl: string };
  notificationSettings: StackNotificationSettings;
}

/** Stackyard sends no mail, so nothing is on until someone asks for it. */
const defaultSettings = { notify_update_failure: 0, notify_update_success: 0, config: null };

/** `project/environment`, optionally `@version`: what `pulumi stack init --remote-config` names. */
const environmentReference = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(@[A-Za-z0-9_.-]+)?$/;

export function validateStackConfig(config: StackConfig): StackConfig {
  if (!environmentReference.test(config.environment)) {
    throw new ApiError('bad_request', `config.environment must name an environment as 'project/name', got '${config.environment}'`);
  }
  const { environment, secretsProvider, encryptedKey, encryptionSalt } = config;
  return { environment, secretsProvider, encryptedKey, encryptionSalt };
}

/** Reads back the StackConfig stored for a stack, if its configuration lives in the service. */
export function storedStackConfig(settings: store.StackSettingsRow | undefined): StackConfig | undefined {
  return settings?.config ? (JSON.parse(settings.config) as StackConfig) : undefined;
}

/** `…/metadata`, `…/notifications/settings` and `…/config`: settings kept beside a stack. */
export class StackSettingsService {
  constructor(private readonly deps: { db: Executor; stacks: StackService }) {}

  async metadata(caller: Caller, ref: StackRef): Promise<StackMetadata> {
    const db = this.deps.db;
    const stack = await this.deps.stacks.resolve(db, caller, ref, 'read');
    return this.present(db, stack, await store.findStackSettings(db, stack.id));
  }

  async updateNotificationSettings(caller: Caller, ref: StackRef, settings: StackNotificationSettings): Promise<StackMetadata> {
    return transaction(this.deps.db, async (tx) => {
      const stack = await this.deps.stacks.resolve(tx, caller, ref, 'admin');
      const row = {
        ...defaultSettings,
        ...(await store.findStackSettings(tx, stack.id)),
        stack_id: stack.id,
        notify_update_failure: settings.notifyUpdateFailure ? 1 : 0,
        notify_update_success: settings.notifyUpdateSuccess ? 1 : 0,
      };
      await store.upsertStackSettings(tx, row);
      const description = `Set notifications of stack "${stack.project_name}/${stack.name}": update failure ${settings.notifyUpdateFailure ? 'on' : 'off'}, update success ${settings.notifyUpdateSuccess ? 'on' : 'off'}`;
      await this.deps.stacks.audit(tx, caller, stack, 'stack-notification-settings-changed', description);
      return this.present(tx, stack, row);
    });
  }

  async config(caller: Caller, ref: StackRef): Promise<StackConfig> {
    const db = this.deps.db;
    const stack = await this.deps.stacks.resolve(db, caller, ref, 'read');
    const config = storedStackConfig(await store.findStackSettings(db, stack.id));
    if (!config) throw new ApiError('not_found', `stack '${ref.project}/${ref.stack}' keeps its configuration locally, not in an environment`);
    return config;
  }

  async updateConfig(caller: Caller, ref: StackRef, input: StackConfig): Promise<StackConfig> {
    const config = validateStackConfig(input);
    return transaction(this.deps.db, async (tx) => {
      const stack = await this.deps.stacks.resolve(tx, caller, ref, 'edit');
      await store.upsertStackSettings(tx, { ...defaultSettings, ...(await store.findStackSettings(tx, stack.id)), stack_id: stack.id, config: JSON.stringify(config) });
      await this.deps.stacks.audit(tx, caller, stack, 'stack-config-changed', `Set the configuration of stack "${stack.project_name}/${stack.name}" to environment "${config.environment}"`);
      return config;
    });
  }

  async deleteConfig(caller: Caller, ref: StackRef): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.deps.stacks.resolve(tx, caller, ref, 'edit');
      const settings = await store.findStackSettings(tx, stack.id);
      if (!settings?.config) return;
      await store.upsertStackSettings(tx, { ...settings, config: null });
      await this.deps.stacks.audit(tx, caller, stack, 'stack-config-changed', `Removed the environment holding the configuration of stack "${stack.project_name}/${stack.name}"`);
    });
  }

  private async present(db: Executor, stack: store.StackRecord, settings: store.StackSettingsRow | undefined): Promise<StackMetadata> {
    const owner = stack.created_by_user_id ? await findUserById(db, stack.created_by_user_id) : undefined;
    return {
      id: stack.id,
      orgName: stack.organization_name,
      projectName: stack.project_name,
      stackName: stack.name,
      // No email: Pulumi shows it on few endpoints only. Stacks created before creators were
      // recorded belong to their organization.
      ownedBy: owner
        ? { name: owner.name, githubLogin: owner.login, avatarUrl: owner.avatar_url }
        : { name: stack.organization_name, githubLogin: stack.organization_name, avatarUrl: '' },
      notificationSettings: {
        notifyUpdateFailure: (settings?.notify_update_failure ?? 0) === 1,
        notifyUpdateSuccess: (settings?.notify_update_success ?? 0) === 1,
      },
    };
  }
}
