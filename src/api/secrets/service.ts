import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Caller } from '../../auth/caller.js';
import type { Clock } from '../../clock.js';
import { open, seal } from '../../crypto/aead.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { transaction } from '../../db/transaction.js';
import type { StackRecord } from '../stacks/store.js';
import { stackLabel, type StackRef, type StackService } from '../stacks/service.js';
import { findWrappedKey, insertWrappedKey } from './store.js';

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(value: string, what: string): Buffer {
  if (value.length % 4 !== 0 || !base64Pattern.test(value)) throw new ApiError('bad_request', `${what} must be base64`);
  return Buffer.from(value, 'base64');
}

/**
 * The service secrets provider: each stack has its own AES-256-GCM data key, wrapped by the
 * master key and bound to the stack's id, so ciphertexts survive rename and transfer but open
 * for no other stack.
 */
export class SecretsService {
  constructor(
    private readonly deps: { db: Executor; clock: Clock; stacks: StackService; masterKey: Buffer; logger: Logger },
  ) {}

  async encrypt(caller: Caller, ref: StackRef, plaintexts: string[]): Promise<string[]> {
    const { stack, key } = await this.stackKey(caller, ref);
    const stackId = stack.id;
    return plaintexts.map((p) => seal(key, decodeBase64(p, 'plaintext'), stackId).toString('base64'));
  }

  /** Plaintexts in request order; a ciphertext of another stack or a damaged one is a 400. */
  async decrypt(caller: Caller, ref: StackRef, ciphertexts: string[], batch: boolean): Promise<string[]> {
    const { stack, key } = await this.stackKey(caller, ref);
    const plaintexts = ciphertexts.map((c) => {
      const plaintext = open(key, decodeBase64(c, 'ciphertext'), stack.id);
      if (!plaintext) throw new ApiError('bad_request', `a ciphertext could not be decrypted for stack '${stackLabel(ref)}'`);
      return plaintext.toString('base64');
    });
    const name = `${stack.project_name}/${stack.name}`;
    await transaction(this.deps.db, (tx) =>
      batch
        ? this.deps.stacks.audit(tx, caller, stack, 'secrets-batch-decrypted', `Decrypted ${ciphertexts.length} secret values for stack "${name}"`)
        : this.deps.stacks.audit(tx, caller, stack, 'secret-decrypted', `Decrypted secret value for stack "${name}" (cipher text suffix: "${ciphertexts[0]?.slice(-8) ?? ''}")`),
    );
    return plaintexts;
  }

  /** The CLI reports revealed secrets; they go to the log until audit logs exist. */
  async logDecryption(caller: Caller, ref: StackRef, detail: { secretName?: string; commandName?: string }): Promise<void> {
    await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    this.deps.logger.info({ user: caller.user.login, stack: stackLabel(ref), ...detail }, 'secrets revealed to a client');
  }

  /**
   * Encrypts as `encrypt` does, for a stack being written in `tx` (an import re-encrypting its
   * secrets): the returned function takes a plaintext and gives the ciphertext the CLI stores.
   */
  async sealerFor(tx: Executor, stack: { id: string; label: string }): Promise<(plaintext: Buffer) => string> {
    const key = await this.dataKey(tx, stack.id, stack.label);
    return (plaintext) => seal(key, plaintext, stack.id).toString('base64');
  }

  /** Encrypting and decrypting both need edit on the stack. */
  private async stackKey(caller: Caller, ref: StackRef): Promise<{ stack: StackRecord; key: Buffer }> {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'edit');
    return { stack, key: await this.dataKey(this.deps.db, stack.id, stackLabel(ref)) };
  }

  /** The stack's data key, made on first use. */
  private async dataKey(db: Executor, stackId: string, label: string): Promise<Buffer> {
    const context = `stack-key:${stackId}`;
    let wrapped = await findWrappedKey(db, stackId);
    if (!wrapped) {
      await insertWrappedKey(db, stackId, seal(this.deps.masterKey, randomBytes(32), context), this.deps.clock.now());
      wrapped = (await findWrappedKey(db, stackId))!;
    }
    const key = open(this.deps.masterKey, wrapped, context);
    if (!key) throw new ApiError('internal', `the secrets key of stack '${label}' does not open with the configured master key`);
    return key;
  }
}
