// Secrets as a checkpoint holds them: `{"4dabf1…": "1b4706…", "ciphertext": …}`, opened by the
// stack's `decrypt` endpoint, which records the reveal in the organization's audit log.

const signatureKey = '4dabf18193072939515e22adb298388d';
const secretSignature = '1b47061264138c4ac30d75fd1eb44270';

export function isSecret(value: unknown): value is { ciphertext?: string; plaintext?: string } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[signatureKey] === secretSignature;
}

/** The ciphertext the service secrets provider wrote, if the value is a secret that holds one. */
export function ciphertextOf(value: unknown): string | undefined {
  return isSecret(value) && typeof value.ciphertext === 'string' ? value.ciphertext : undefined;
}

/** `decrypt`'s base64 plaintext as the value it holds: the CLI encrypts the value's JSON. */
export function decodePlaintext(base64: string): unknown {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
