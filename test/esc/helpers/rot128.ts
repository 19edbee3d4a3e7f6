// The test cipher of Pulumi ESC's own tests (rot128 in eval/crypt_test.go): adds 128 to every
// byte, so encrypting and decrypting are the same operation. For golden files only.
import type { Decrypter, Encrypter } from '../../../src/esc/crypt.js';

const rotate = async (bytes: Buffer) => Buffer.from(bytes.map((byte) => (byte + 128) & 0xff));

export const rot128: Encrypter & Decrypter = { encrypt: rotate, decrypt: rotate };
