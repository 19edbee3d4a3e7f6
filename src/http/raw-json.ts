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
  return arrayAt(json, 0)?.elements ?? [];
}

/** The elements of the array at `start` (after any space), and the index just past its `]`; undefined when no array is there. */
export function arrayAt(json: Buffer, start: number): { elements: Buffer[]; end: number } | undefined {
  start = skipSpace(json, start);
  if (json[start] !== 0x5b /* [ */) return undefined;
  const elements: Buffer[] = [];
  let i = skipSpace(json, start + 1);
  while (i < json.length && json[i] !== 0x5d /* ] */) {
    const end = endOfValue(json, i);
    // Only text that is not JSON stops here (a stray delimiter); it ends the walk rather than repeating it.
    if (end <= i) break;
    elements.push(json.subarray(i, end));
    i = skipSpace(json, end);
    if (json[i] === 0x2c /* , */) i = skipSpace(json, i + 1);
  }
  return { elements, end: Math.min(i + 1, json.length) };
}

/**
 * Walks the members of the object at `start` (after any space), in one pass: `read` is given each
 * member's name and where its value starts, and either reads the value itself, returning the index
 * just past it, or returns undefined to have it skipped. Returns the index just past the object
 * (`start` when no object is there). Reading a member's object or array as it is walked (with
 * walkObject or arrayAt) finds what lies inside without a second pass over its bytes.
 */
export function walkObject(json: Buffer, start: number, read: (name: string, valueStart: number) => number | undefined): number {
  start = skipSpace(json, start);
  if (json[start] !== 0x7b /* { */) return start;
  let i = skipSpace(json, start + 1);
  while (i < json.length && json[i] !== 0x7d /* } */) {
    const keyEnd = endOfString(json, i);
    const name = JSON.parse(json.subarray(i, keyEnd).toString('utf8')) as string;
    i = skipSpace(json, keyEnd);
    i = skipSpace(json, i + 1); // past ':'
    const valueEnd = read(name, i) ?? endOfValue(json, i);
    i = skipSpace(json, valueEnd);
    if (json[i] === 0x2c /* , */) i = skipSpace(json, i + 1);
  }
  return Math.min(i + 1, json.length);
}

/** The bytes of the value at `start` (after any space). */
export function rawJsonValueAt(json: Buffer, start: number): Buffer {
  start = skipSpace(json, start);
  return json.subarray(start, endOfValue(json, start));
}

/** Calls `visit` with each member's name and value bytes until it returns false. */
function eachMember(json: Buffer, visit: (name: string, value: Buffer) => boolean): void {
  let stopped = false;
  walkObject(json, 0, (name, start) => {
    if (stopped) return json.length;
    const end = endOfValue(json, start);
    if (!visit(name, json.subarray(start, end))) {
      stopped = true;
      return json.length;
    }
    return end;
  });
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
