// JSON.parse in pieces, for request bodies large enough that one JSON.parse would hold the event
// loop (a journal batch or an import of tens of MB takes hundreds of milliseconds): other requests
// are served between pieces.
import { rawJsonElements, rawJsonMembers } from './raw-json.js';
import { yieldToEventLoop } from '../yield.js';

/**
 * The value of `bytes`, which must already be known to be one JSON value nested no deeper than the
 * body limit allows (the recursion follows only pieces larger than `sliceBytes`). Equal to
 * JSON.parse's result, `__proto__` members included as own properties.
 */
export async function parseJsonYielding(bytes: Buffer, sliceBytes: number): Promise<unknown> {
  let sinceYield = 0;
  const parse = async (piece: Buffer): Promise<unknown> => {
    const first = firstByte(piece);
    if (piece.length <= sliceBytes || (first !== 0x7b && first !== 0x5b)) {
      sinceYield += piece.length;
      if (sinceYield >= sliceBytes) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      return JSON.parse(piece.toString('utf8'));
    }
    if (first === 0x5b) {
      const elements: unknown[] = [];
      for (const element of rawJsonElements(piece)) elements.push(await parse(element));
      return elements;
    }
    const object: Record<string, unknown> = {};
    for (const [name, value] of rawJsonMembers(piece)) {
      // As JSON.parse does: an own property, even for `__proto__`.
      Object.defineProperty(object, name, { value: await parse(value), enumerable: true, writable: true, configurable: true });
    }
    return object;
  };
  return parse(bytes);
}

function firstByte(bytes: Buffer): number | undefined {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  return undefined;
}
