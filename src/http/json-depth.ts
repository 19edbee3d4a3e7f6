// How deep a JSON document nests, measured on its bytes without building it. Real Pulumi states nest
// a few tens of levels (resources, then property values: maps in lists in maps); nesting in the
// thousands is only ever an attack, and it overflows the stack of every recursive walk over the data,
// JSON.stringify included (it fails near 4,000 levels on Node 20).

import { ApiError } from '../errors.js';

/** The deepest nesting of arrays and objects any request body may have. */
export const maxJsonDepth = 1000;

/**
 * Whether `bytes` (JSON, or at least text whose strings are JSON strings) opens more than `limit`
 * arrays or objects inside one another. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(bytes: Buffer, limit: number = maxJsonDepth): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22 /* " */) {
      // Skip the string: find its closing quote, one not preceded by an odd run of backslashes.
      for (;;) {
        const next = bytes.indexOf(0x22, i + 1);
        if (next < 0) return false;
        let escapes = 0;
        while (bytes[next - 1 - escapes] === 0x5c) escapes++;
        i = next;
        if (escapes % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** The 400 every route gives a body that nests deeper than `maxJsonDepth`. */
export const deepBodyError = () => new ApiError('bad_request', `request body nests arrays and objects more than ${maxJsonDepth} levels deep`);

/** Refuses a body that nests deeper than `maxJsonDepth`. */
export function refuseDeepJson(bytes: Buffer): void {
  if (jsonDepthExceeds(bytes)) throw deepBodyError();
}

/** Whether a parsed JSON value nests deeper than `limit`, found without recursion. */
export function valueDepthExceeds(value: unknown, limit: number = maxJsonDepth): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const inner of Array.isArray(current) ? current : Object.values(current)) pending.push([inner, depth + 1]);
  }
  return false;
}
