/**
 * The exact bytes of one member of a top-level JSON object, for payloads that must be stored as
 * the client wrote them (a checkpoint embedded in a request). The input must already be known to
 * be valid JSON; this only finds where the member's value starts and ends.
 */
export function rawJsonMember(json: Buffer, key: string): Buffer | undefined {
  let i = skipSpace(json, 0);
  if (json[i] !== 0x7b /* { */) return undefined;
  i = skipSpace(json, i + 1);
  while (i < json.length && json[i] !== 0x7d /* } */) {
    const keyEnd = endOfString(json, i);
    const name = JSON.parse(json.subarray(i, keyEnd).toString('utf8')) as string;
    i = skipSpace(json, keyEnd);
    i = skipSpace(json, i + 1); // past ':'
    const valueEnd = endOfValue(json, i);
    if (name === key) return json.subarray(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (json[i] === 0x2c /* , */) i = skipSpace(json, i + 1);
  }
  return undefined;
}

function skipSpace(json: Buffer, i: number): number {
  while (i < json.length && (json[i] === 0x20 || json[i] === 0x0a || json[i] === 0x0d || json[i] === 0x09)) i++;
  return i;
}

/** `i` is at an opening quote; returns the index just past the closing one. */
function endOfString(json: Buffer, i: number): number {
  for (i++; i < json.length; i++) {
    if (json[i] === 0x5c /* \ */) i++;
    else if (json[i] === 0x22 /* " */) return i + 1;
  }
  return i;
}

function endOfValue(json: Buffer, i: number): number {
  const first = json[i];
  if (first === 0x22) return endOfString(json, i);
  if (first !== 0x7b && first !== 0x5b) {
    // A number or a literal runs until a delimiter.
    while (i < json.length && ![0x2c, 0x7d, 0x5d, 0x20, 0x0a, 0x0d, 0x09].includes(json[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (; i < json.length; i++) {
    const byte = json[i];
    if (byte === 0x22) i = endOfString(json, i) - 1;
    else if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return i;
}
