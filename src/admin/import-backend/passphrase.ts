import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

// The passphrase secrets provider's formats (pkg/secrets/passphrase, sdk/go/common/resource/config/crypt.go):
// the key is PBKDF2-HMAC-SHA256 of the passphrase and an 8-byte salt, 1,000,000 rounds, 32 bytes;
// a value is `v1:<base64 nonce>:<base64 AES-256-GCM ciphertext and tag>`; the provider's state
// is `v1:<base64 salt>:<the string "pulumi" so encrypted>`, which tells a wrong passphrase apart.

const derive = promisify(pbkdf2);
const rounds = 1_000_000;
const nonceBytes = 12;
const tagBytes = 16;
const knownPlaintext = 'pulumi';

export class PassphraseError extends Error {}

export class PassphraseCrypter {
  private constructor(private readonly key: Buffer) {}

  /** The crypter of a passphrase provider's state; refuses a passphrase that is not the state's. */
  static async open(passphrase: string, state: string): Promise<PassphraseCrypter> {
    const parts = /^v1:([^:]*):(.*)$/s.exec(state);
    if (!parts) throw new PassphraseError(`the passphrase secrets provider's state is not 'v1:<salt>:<check>'`);
    const crypter = new PassphraseCrypter(await derive(passphrase, Buffer.from(parts[1]!, 'base64'), rounds, 32, 'sha256'));
    let check: string | undefined;
    try {
      check = crypter.decrypt(parts[2]!).toString('utf8');
    } catch {
      check = undefined;
    }
    if (check !== knownPlaintext) throw new PassphraseError('incorrect passphrase');
    return crypter;
  }

  /** A new provider state for `passphrase`, as `pulumi stack init` makes one (for tests). */
  static async create(passphrase: string): Promise<{ state: string; crypter: PassphraseCrypter }> {
    const salt = randomBytes(8);
    const crypter = new PassphraseCrypter(await derive(passphrase, salt, rounds, 32, 'sha256'));
    return { state: `v1:${salt.toString('base64')}:${crypter.encrypt(Buffer.from(knownPlaintext))}`, crypter };
  }

  decrypt(value: string): Buffer {
    const parts = value.split(':');
    if (parts.length !== 3 || parts[0] !== 'v1') throw new PassphraseError('a secret is not a passphrase ciphertext (v1:<nonce>:<ciphertext>)');
    const nonce = Buffer.from(parts[1]!, 'base64');
    const sealed = Buffer.from(parts[2]!, 'base64');
    if (nonce.length !== nonceBytes || sealed.length < tagBytes) throw new PassphraseError('a passphrase ciphertext is damaged');
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - tagBytes)), decipher.final()]);
    } catch {
      throw new PassphraseError('a secret does not decrypt with the passphrase');
    }
  }

  encrypt(plaintext: Buffer): string {
    const nonce = randomBytes(nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString('base64')}:${body.toString('base64')}`;
  }
}
