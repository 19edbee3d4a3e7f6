import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Layout of a sealed value: a format byte, the 96-bit nonce, the 128-bit tag, then the ciphertext. */
const format = 1;
const nonceLength = 12;
const tagLength = 16;
const headerLength = 1 + nonceLength + tagLength;

/** AES-256-GCM with a fresh random nonce; `context` is bound as associated data. */
export function seal(key: Buffer, plaintext: Buffer, context: string): Buffer {
  const nonce = randomBytes(nonceLength);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([format]), nonce, cipher.getAuthTag(), body]);
}

/** The plaintext, or undefined when the value was not sealed with this key and context. */
export function open(key: Buffer, sealed: Buffer, context: string): Buffer | undefined {
  if (sealed.length < headerLength || sealed[0] !== format) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + nonceLength));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(sealed.subarray(1 + nonceLength, headerLength));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(headerLength)), decipher.final()]);
  } catch {
    return undefined;
  }
}
