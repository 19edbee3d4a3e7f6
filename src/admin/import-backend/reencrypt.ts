import { goJson, secureCiphertext, type ImportedDeployment, type WireConfigValue } from './diy.js';
import { PassphraseCrypter } from './passphrase.js';

const secretSigKey = '4dabf18193072939515e22adb298388d';
const secretSigValue = '1b47061264138c4ac30d75fd1eb44270';

/** Seals one plaintext with the stack's service key, giving the ciphertext string the CLI stores. */
export type Sealer = (plaintext: Buffer) => string;

/** The passphrase provider's state (its `salt`), when the deployment's secrets are passphrase-protected. */
export function passphraseState(deployment: ImportedDeployment | undefined): string | undefined {
  const provider = deployment?.secretsProvider;
  const salt = provider?.state?.['salt'];
  return provider?.type === 'passphrase' && typeof salt === 'string' ? salt : undefined;
}

/** Crypters by provider state: the key derivation takes a second or so, once per state. */
export class PassphraseKeys {
  private readonly crypters = new Map<string, Promise<PassphraseCrypter>>();

  constructor(private readonly passphrase: string) {}

  open(state: string): Promise<PassphraseCrypter> {
    let crypter = this.crypters.get(state);
    if (!crypter) {
      crypter = PassphraseCrypter.open(this.passphrase, state);
      this.crypters.set(state, crypter);
    }
    return crypter;
  }
}

/**
 * The deployment with every secret decrypted with the passphrase and sealed with the stack's
 * service key, and `secrets_providers` the service provider state the CLI writes for a service
 * stack (pkg/secrets/service: url, owner, project, stack).
 */
export function reencryptDeployment(
  deployment: ImportedDeployment,
  crypter: PassphraseCrypter,
  seal: Sealer,
  serviceState: Record<string, unknown>,
): { deployment: ImportedDeployment; secrets: number } {
  const document = JSON.parse(deployment.bytes.toString('utf8')) as { deployment: Record<string, unknown> };
  let secrets = 0;
  // Iterative: how deep a state nests is its program's choice.
  const pending: unknown[] = [document.deployment];
  while (pending.length > 0) {
    const current = pending.pop();
    if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (typeof current === 'object' && current !== null) {
      const value = current as Record<string, unknown>;
      if (value[secretSigKey] === secretSigValue && typeof value['ciphertext'] === 'string') {
        value['ciphertext'] = seal(crypter.decrypt(value['ciphertext']));
        secrets++;
      } else for (const inner of Object.values(value)) pending.push(inner);
    }
  }
  const provider = { type: 'service', state: serviceState };
  document.deployment['secrets_providers'] = provider;
  return { deployment: { ...deployment, bytes: Buffer.from(JSON.stringify(document)), secretsProvider: provider }, secrets };
}

/**
 * Update config with its secure values re-encrypted: `decrypt` opens a passphrase ciphertext.
 * Secure values inside objects (`{"secure": …}` leaves) are re-encrypted too, and the object's
 * text rewritten as the CLI writes it.
 */
export function reencryptConfig(
  config: Record<string, WireConfigValue>,
  decrypt: (ciphertext: string) => Buffer,
  seal: Sealer,
): { config: Record<string, WireConfigValue>; secrets: number } {
  let secrets = 0;
  const rewrite = (value: unknown): unknown => {
    const ciphertext = secureCiphertext(value);
    if (ciphertext !== undefined) {
      secrets++;
      return { secure: seal(decrypt(ciphertext)) };
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rewrite(inner)]));
    }
    return value;
  };
  const result: Record<string, WireConfigValue> = Object.create(null);
  for (const [key, value] of Object.entries(config)) {
    if (!value.secret) result[key] = value;
    else if (!value.object) {
      secrets++;
      result[key] = { ...value, string: seal(decrypt(value.string)) };
    } else result[key] = { ...value, string: goJson(rewrite(JSON.parse(value.string))) };
  }
  return { config: result, secrets };
}
