// Byte-level views into JSON that is already known to be valid: where a member's or an element's
// value starts and ends, so payloads the server must keep as the client wrote them (checkpoints,
// resource states) are sliced rather than parsed and re-serialised.

const quote = 0x22;
const backslash = 0x5c;

/** The exact bytes of one member of a top-level JSON object. */
export function rawJsonMember(json: Buffer, key: string): Buffer | undefined {
  let found: Buffer | undefined;
  eachMember(json, (name, value) => {
    if (name !== key) return true;
    found = value;
    return false;
  });
  return found;
}

/** Every member of a top-level JSON object, in order, as raw bytes. */
export function rawJsonMembers(json: Buffer): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  eachMember(json, (name, value) => {
    members.set(name, value);
    return true;
  });
  return members;
}

/** The raw bytes of each element of a JSON array. */
export function rawJsonElements(json: Buffer): Buffer[] {
  let i = skipSpace(json, 0);
  if (json[i] !== 0x5b /* [ */) return [];
  const elements: Buffer[] = [];
  i = skipSpace(json, i + 1);
  while (i < json.length && json[i] !== 0x5d /* ] */) {
    const end = endOfValue(json, i);
    elements.push(json.subarray(i, end));
    i = skipSpace(json, end);
    if (json[i] === 0x2c /* , */) i = skipSpace(json, i + 1);
  }
  return elements;
}

/** Calls `visit` with each member's name and value bytes until it returns false. */
function eachMember(json: Buffer, visit: (name: string, value: Buffer) => boolean): void {
  let i = skipSpace(json, 0);
  if (json[i] !== 0x7b /* { */) return;
  i = skipSpace(json, i + 1);
  while (i < json.length && json[i] !== 0x7d /* } */) {
    const keyEnd = endOfString(json, i);
    const name = JSON.parse(json.subarray(i, keyEnd).toString('utf8')) as string;
    i = skipSpace(json, keyEnd);
    i = skipSpace(json, i + 1); // past ':'
    const valueEnd = endOfValue(json, i);
    if (!visit(name, json.subarray(i, valueEnd))) return;
    i = skipSpace(json, valueEnd);
    if (json[i] === 0x2c /* , */) i = skipSpace(json, i + 1);
  }
}

function skipSpace(json: Buffer, i: number): number {
  while (i < json.length && (json[i] === 0x20 || json[i] === 0x0a || json[i] === 0x0d || json[i] === 0x09)) i++;
  return i;
}

/** `i` is at an opening quote; returns the index just past the closing one. */
function endOfString(json: Buffer, i: number): number {
  for (;;) {
    // indexOf runs natively; strings are most of a state's bytes.
    const next = json.indexOf(quote, i + 1);
    if (next < 0) return json.length;
    let escapes = 0;
    while (json[next - 1 - escapes] === backslash) escapes++;
    if (escapes % 2 === 0) return next + 1;
    i = next;
  }
}

function endOfValue(json: Buffer, i: number): number {
  const first = json[i];
  if (first === quote) return endOfString(json, i);
  if (first !== 0x7b && first !== 0x5b) {
    // A number or a literal runs until a delimiter.
    while (i < json.length && ![0x2c, 0x7d, 0x5d, 0x20, 0x0a, 0x0d, 0x09].includes(json[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (; i < json.length; i++) {
    const byte = json[i];
    if (byte === quote) i = endOfString(json, i) - 1;
    else if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return i;
}
