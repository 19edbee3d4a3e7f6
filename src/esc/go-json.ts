// JSON as Go's encoding/json writes and reads it, where ESC's results depend on it: fn::toJSON's
// text (sorted keys, HTML characters escaped) and fn::fromJSON's numbers, kept as their text.
import { EscNumber } from './schema.js';

/** Go's json.Marshal of a plain value (numbers as EscNumber or JS numbers). */
export function goJsonMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof EscNumber) return value.toJSONText();
  if (typeof value === 'number') return EscNumber.fromNumber(value).toJSONText();
  if (typeof value === 'string') return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${entries.map(([key, inner]) => `${goJsonString(key)}:${goJsonMarshal(inner)}`).join(',')}}`;
}

// Go (since 1.22) writes \b and \f short too.
const shortEscapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function goJsonString(text: string): string {
  // Go escapes control characters, <, > and & (safe inside HTML), and the JavaScript line separators.
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => shortEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

class GoJsonError extends Error {}

/**
 * Go's json.Decoder reading one value with UseNumber: numbers keep their text, text after the
 * first value is not looked at, and errors read as Go's do.
 */
export function goJsonUnmarshal(text: string): unknown {
  const reader = new Reader(text);
  reader.skipSpace();
  if (reader.atEnd()) throw new GoJsonError('EOF');
  return reader.value();
}

class Reader {
  private offset = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && ' \t\r\n'.includes(this.text[this.offset]!)) this.offset++;
  }

  private fail(context: string): never {
    if (this.atEnd()) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${quoteChar(this.text[this.offset]!)} ${context}`);
  }

  value(): unknown {
    this.skipSpace();
    const c = this.text[this.offset];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, literal] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return literal;
      }
      if (c === word[0]) {
        let i = 0;
        while (this.text[this.offset + i] === word[i]) i++;
        this.offset += i;
        this.fail(`in literal ${word} (expecting ${quoteChar(word[i]!)})`);
      }
    }
    return this.fail('looking for beginning of value');
  }

  private object(): Record<string, unknown> {
    this.offset++;
    const result: Record<string, unknown> = {};
    this.skipSpace();
    if (this.text[this.offset] === '}') {
      this.offset++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.offset] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.offset] !== ':') this.fail('after object key');
      this.offset++;
      Object.defineProperty(result, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.text[this.offset] === ',') {
        this.offset++;
        continue;
      }
      if (this.text[this.offset] === '}') {
        this.offset++;
        return result;
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): unknown[] {
    this.offset++;
    const result: unknown[] = [];
    this.skipSpace();
    if (this.text[this.offset] === ']') {
      this.offset++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipSpace();
      if (this.text[this.offset] === ',') {
        this.offset++;
        continue;
      }
      if (this.text[this.offset] === ']') {
        this.offset++;
        return result;
      }
      this.fail('after array element');
    }
  }

  private string(): string {
    const start = this.offset;
    this.offset++;
    for (;;) {
      const c = this.text[this.offset];
      if (c === undefined) this.fail('');
      if (c === '"') break;
      if (c === '\\') {
        const escape = this.text[this.offset + 1];
        if (escape === undefined) {
          this.offset++;
          this.fail('');
        }
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))) {
            this.offset += 2;
            while (/[0-9a-fA-F]/.test(this.text[this.offset] ?? '')) this.offset++;
            this.fail('in \\u hexadecimal character escape');
          }
          this.offset += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(escape)) {
          this.offset++;
          this.fail('in string escape code');
        }
        this.offset += 2;
        continue;
      }
      if (c < ' ') this.fail('in string literal');
      this.offset++;
    }
    this.offset++;
    return JSON.parse(this.text.slice(start, this.offset)) as string;
  }

  private number(): EscNumber {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.offset));
    if (!match) {
      this.offset++;
      this.fail('in numeric literal');
    }
    const text = match![0];
    this.offset += text.length;
    return EscNumber.fromText(text);
  }
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  if (c < ' ') return `'\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}
