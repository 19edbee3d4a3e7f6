// Base64 as Go's encoding/base64 StdEncoding decodes it, errors included: ESC's ciphertext
// envelopes and fn::fromBase64 both report Go's messages.

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Values = new Map([...base64Alphabet].map((ch, index) => [ch.charCodeAt(0), index]));
const [pad, lf, cr] = ['=', '\n', '\r'].map((ch) => ch.charCodeAt(0)) as [number, number, number];

const corruptBase64 = (offset: number) => new Error(`illegal base64 data at input byte ${offset}`);

/**
 * Go's base64.StdEncoding.DecodeString: padding required, CR and LF ignored, and the same byte
 * offset in the error (Node's decoder accepts almost anything, so it cannot tell what Go rejects).
 */
export function decodeStdBase64(text: string): Buffer {
  const input = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let at = 0;
  for (;;) {
    const sextets: number[] = [];
    let trailingGarbageAt: number | undefined;
    while (sextets.length < 4) {
      if (at === input.length) {
        if (sextets.length === 0) return Buffer.from(out);
        throw corruptBase64(at - sextets.length);
      }
      const byte = input[at++]!;
      const value = base64Values.get(byte);
      if (value !== undefined) {
        sextets.push(value);
        continue;
      }
      if (byte === lf || byte === cr) continue;
      if (byte !== pad || sextets.length < 2) throw corruptBase64(at - 1);
      if (sextets.length === 2) {
        // One '=' seen; a second must follow, newlines aside.
        at = skipNewlines(input, at);
        if (at === input.length) throw corruptBase64(input.length);
        if (input[at] !== pad) throw corruptBase64(at - 1);
        at++;
      }
      at = skipNewlines(input, at);
      if (at < input.length) trailingGarbageAt = at;
      break;
    }
    const bits = sextets.reduce((acc, sextet, index) => acc | (sextet << (18 - 6 * index)), 0);
    for (let index = 0; index < sextets.length - 1; index++) out.push((bits >> (16 - 8 * index)) & 0xff);
    if (trailingGarbageAt !== undefined) throw corruptBase64(trailingGarbageAt);
    if (sextets.length < 4) return Buffer.from(out);
  }
}

function skipNewlines(input: Buffer, at: number): number {
  while (at < input.length && (input[at] === lf || input[at] === cr)) at++;
  return at;
}

