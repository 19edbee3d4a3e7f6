// Secrets at rest in environment definitions, as Pulumi ESC keeps them: every plaintext
// `fn::secret: <string>` is stored as `fn::secret: {ciphertext: <base64 envelope>}` and turned
// back when the definition is read for editing. The definition is rewritten in place: only the
// secrets' text changes, so comments and layout survive. Each rewritten secret reads as yaml.v3
// (ESC's YAML library) would write it; the rest of the text is left as it was, where ESC would
// re-encode the whole document.
import { crc32 } from 'node:zlib';
import type { Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { decodeStdBase64 } from './go-base64.js';
import { decodeYaml, DiagSeverity, type Diagnostic, type ObjectNode, type StringNode, type SyntaxNode } from './syntax.js';

/** Encrypts one secret; the service's is AES-256-GCM under a wrapped key. */
export interface Encrypter {
  encrypt(plaintext: Buffer): Promise<Buffer>;
}

/** Decrypts what the matching Encrypter produced. */
export interface Decrypter {
  decrypt(ciphertext: Buffer): Promise<Buffer>;
}

// The envelope: "escx", version (uint32 BE), ciphertext, CRC-32 (IEEE, uint32 BE) of all the
// preceding bytes, the whole base64-encoded (standard alphabet, padded).
const envelopeMagic = Buffer.from('escx', 'latin1');
const envelopeVersion = 1;
// ESC wants room for a 4-byte ciphertext, so shorter envelopes are rejected even if well formed.
const minimumEnvelopeLength = 16;

/** Wraps ciphertext in ESC's envelope (the bytes before base64). */
export function encodeCiphertext(ciphertext: Buffer): Buffer {
  const header = Buffer.alloc(8);
  envelopeMagic.copy(header);
  header.writeUInt32BE(envelopeVersion, 4);
  const body = Buffer.concat([header, ciphertext]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  return Buffer.concat([body, checksum]);
}

/**
 * The ciphertext inside a base64 envelope. Throws with ESC's reason when the envelope is
 * malformed: Go's base64 error, `EOF` (too short), `invalid header`, `invalid checksum` or
 * `unsupported version`, checked in that order.
 */
export function decodeCiphertext(encoded: string): Buffer {
  const envelope = decodeStdBase64(encoded);
  if (envelope.length < minimumEnvelopeLength) throw new Error('EOF');
  if (!envelope.subarray(0, 4).equals(envelopeMagic)) throw new Error('invalid header');
  const checksumAt = envelope.length - 4;
  if (crc32(envelope.subarray(0, checksumAt)) !== envelope.readUInt32BE(checksumAt)) throw new Error('invalid checksum');
  if (envelope.readUInt32BE(4) !== envelopeVersion) throw new Error('unsupported version');
  return envelope.subarray(8, checksumAt);
}

/** A ciphertext whose envelope is malformed; the message is Go's `errors.Join(ErrInvalidCiphertext, reason)`. */
export class InvalidCiphertextError extends Error {
  constructor(readonly reason: Error) {
    super(`invalid ciphertext\n${reason.message}`, { cause: reason });
    this.name = 'InvalidCiphertextError';
  }
}

/** Encrypts one plaintext into the base64 envelope that goes after `ciphertext:` (ESC's EncryptSecret, base64-encoded). */
export async function encryptSecret(plaintext: Buffer, encrypter: Encrypter): Promise<string> {
  return encodeCiphertext(await encrypter.encrypt(plaintext)).toString('base64');
}

/**
 * Decrypts one base64 envelope (ESC's DecryptSecret). A malformed envelope throws
 * InvalidCiphertextError; the decrypter's own errors pass through.
 */
export async function decryptCiphertext(encoded: string, decrypter: Decrypter): Promise<Buffer> {
  let ciphertext: Buffer;
  try {
    ciphertext = decodeCiphertext(encoded);
  } catch (error) {
    throw new InvalidCiphertextError(error as Error);
  }
  return decrypter.decrypt(ciphertext);
}

/**
 * The definition could not be decoded as ESC decodes it (broken YAML, aliases, non-string keys);
 * the message is Go's rendering of the diagnostics.
 */
export class DefinitionError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnosticsMessage(diagnostics));
    this.name = 'DefinitionError';
  }
}

function diagnosticsMessage(diags: Diagnostic[]): string {
  if (diags.length === 1) return diagnosticMessage(diags[0]!);
  const ordered = [...diags].sort((a, b) => a.severity - b.severity);
  return ordered.map((d) => `\n-${d.severity === DiagSeverity.error ? 'error' : 'warning'}: ${diagnosticMessage(d)}`).join('');
}

/** hcl's `<subject>: <summary>; <detail>`, where a missing subject prints as Go's nil. */
function diagnosticMessage(d: Diagnostic): string {
  const r = d.range;
  const subject = !r
    ? '<nil>'
    : r.start.line === r.end.line
      ? `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`
      : `${r.filename}:${r.start.line},${r.start.column}-${r.end.line},${r.end.column}`;
  return `${subject}: ${d.summary}; ${d.detail ?? ''}`;
}

/**
 * ESC's EncryptSecrets: every `fn::secret` whose argument is a string becomes
 * `fn::secret: {ciphertext: <envelope>}` (a block mapping, or a flow one inside flow
 * collections), anywhere in the definition. Other arguments are left for the parser to reject.
 */
export async function encryptSecrets(filename: string, source: string, encrypter: Encrypter): Promise<string> {
  const edits: Edit[] = [];
  for (const call of secretCalls(decodeDefinition(filename, source))) {
    if (call.kind !== 'plaintext') continue;
    const envelope = await encryptSecret(Buffer.from(call.plaintext.value, 'utf8'), encrypter);
    edits.push(ciphertextEdit(source, call, envelope));
  }
  return applyEdits(source, edits);
}

/**
 * ESC's DecryptSecrets: every `fn::secret: {ciphertext: ...}` under the top-level `values` key
 * becomes `fn::secret: <plaintext>`, written in the style of the ciphertext string where yaml.v3
 * allows it. Throws InvalidCiphertextError for a malformed envelope, and the decrypter's errors.
 */
export async function decryptSecrets(filename: string, source: string, decrypter: Decrypter): Promise<string> {
  const edits: Edit[] = [];
  for (const call of secretCalls(decodeDefinition(filename, source))) {
    if (call.kind !== 'ciphertext' || call.topKey !== 'values') continue;
    const plaintext = utf8Text(await decryptCiphertext(call.ciphertext.value, decrypter));
    edits.push(plaintextEdit(source, call, plaintext));
  }
  return applyEdits(source, edits);
}

function decodeDefinition(filename: string, source: string): SyntaxNode | undefined {
  const { node, diags } = decodeYaml(filename, source);
  if (diags.some((d) => d.severity === DiagSeverity.error)) throw new DefinitionError(diags);
  return node;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** yaml.v3 refuses to write a `!!str` that is not UTF-8, and so does ESC. */
function utf8Text(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error('yaml: cannot marshal invalid UTF-8 data as !!str');
  }
}

interface CallBase {
  call: ObjectNode;
  key: StringNode;
  /** The top-level key the call sits under; ESC decrypts only under `values`. */
  topKey?: string;
  /** The flow collections the call is in (itself included), and where the block collection around them starts. */
  flow?: { depth: number; blockStart?: number };
}

type SecretCall =
  | (CallBase & { kind: 'plaintext'; plaintext: StringNode })
  | (CallBase & { kind: 'ciphertext'; argument: ObjectNode; ciphertext: StringNode });

interface Surroundings {
  topKey?: string;
  flow?: CallBase['flow'];
  /** Where the innermost block collection starts. */
  blockStart?: number;
}

/** The `fn::secret` calls, innermost first as ESC visits them. */
function* secretCalls(node: SyntaxNode | undefined, around: Surroundings = {}, root = true): Generator<SecretCall> {
  if (!node || (node.kind !== 'array' && node.kind !== 'object')) return;
  const start = node.yaml?.range?.[0];
  const inner: Surroundings = isFlow(node)
    ? { ...around, flow: { depth: (around.flow?.depth ?? 0) + 1, blockStart: around.blockStart } }
    : { ...around, blockStart: start };
  if (node.kind === 'array') {
    for (const element of node.elements) yield* secretCalls(element, inner, false);
    return;
  }
  for (const { key, value } of node.entries) yield* secretCalls(value, { ...inner, topKey: root ? key.value : around.topKey }, false);
  const call = asSecretCall(node);
  if (call) yield { ...call, topKey: around.topKey, flow: inner.flow };
}

function asSecretCall(node: ObjectNode): SecretCall | undefined {
  const [entry, ...others] = node.entries;
  if (!entry || others.length > 0 || entry.key.value !== 'fn::secret') return undefined;
  const argument = entry.value;
  if (argument.kind === 'object' && argument.entries.length === 1 && argument.entries[0]!.key.value === 'ciphertext') {
    const ciphertext = argument.entries[0]!.value;
    if (ciphertext.kind === 'string') return { kind: 'ciphertext', call: node, key: entry.key, argument, ciphertext };
  }
  if (argument.kind === 'string') return { kind: 'plaintext', call: node, key: entry.key, plaintext: argument };
  return undefined;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Splices non-overlapping edits into the source, their line breaks written as the source's are. */
function applyEdits(source: string, edits: Edit[]): string {
  const lineBreak = source.includes('\r\n') ? '\r\n' : '\n';
  let result = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text.replaceAll('\n', lineBreak) + result.slice(edit.end);
  }
  return result;
}

const scalarOf = (node: SyntaxNode) => node.yaml as Scalar;
const isFlow = (node: SyntaxNode) => (node.yaml as YAMLMap | YAMLSeq | undefined)?.flow === true;

/** Replaces a plaintext argument with `{ciphertext: ...}`, block-indented two past the key as yaml.v3 writes it. */
function ciphertextEdit(source: string, call: SecretCall & { kind: 'plaintext' }, envelope: string): Edit {
  const colonEnd = afterColon(source, call.key);
  const plaintext = scalarOf(call.plaintext);
  const start = plaintext.range![0];
  const end = scalarEnd(source, plaintext);
  if (call.flow) {
    return { start: propsStart(source, colonEnd, start), end, text: `{ciphertext: ${envelope}}` };
  }
  // Comments between the colon and the plaintext stay where they were; tags and anchors go, as in ESC.
  const comments = commentsBetween(source, colonEnd, start)
    .map((c) => (c.onFirstLine ? ` ${c.text}` : `\n${c.indent}${c.text}`))
    .join('');
  const headerComment = blockHeaderComment(plaintext);
  const indent = ' '.repeat(columnOf(source, call.key.yaml!.range![0]) + 2);
  const text = `${comments}\n${indent}ciphertext: ${envelope}${headerComment ? ` ${headerComment}` : ''}`;
  return { start: colonEnd, end, text };
}

/** Replaces a `{ciphertext: ...}` argument with the plaintext, moving its line comment along as yaml.v3 does. */
function plaintextEdit(source: string, call: SecretCall & { kind: 'ciphertext' }, plaintext: string): Edit {
  const colonEnd = afterColon(source, call.key);
  const ciphertext = scalarOf(call.ciphertext);
  const argumentStart = call.argument.yaml!.range![0];
  const end = isFlow(call.argument) ? call.argument.yaml!.range![1] : scalarEnd(source, ciphertext);
  // yaml.v3 gives the key's line comment to the value, unless the value has its own; other comments inside go.
  const keyComment = commentsBetween(source, colonEnd, argumentStart).find((c) => c.onFirstLine)?.text;
  const trailing = trailingComment(source, end);
  const written = writePlaintext(plaintext, {
    requested: styleOf(ciphertext),
    flow: call.flow !== undefined,
    indent: continuationIndent(source, call),
    column: columnOf(source, colonEnd),
  });
  if (written.block) {
    // A block scalar's comment belongs on its header line, before the content.
    const comment = trailing?.text ?? keyComment;
    const body = written.write(comment);
    const replacedTo = trailing?.end ?? lineEnd(source, end);
    const endsLine = source[replacedTo] === '\n' || source.startsWith('\r\n', replacedTo);
    // The line break that ends the last line is the one already in the source.
    return { start: colonEnd, end: replacedTo, text: endsLine && body.endsWith('\n') ? body.slice(0, -1) : body };
  }
  const movedComment = !trailing && keyComment ? ` ${keyComment}` : '';
  return { start: colonEnd, end, text: written.write(undefined) + movedComment };
}

/**
 * Where yaml.v3 indents the lines of a multi-line value: two past the key in block context; in
 * flow context, two past the enclosing block's indentation for each flow collection, plus two.
 */
function continuationIndent(source: string, call: SecretCall): number {
  if (!call.flow) return columnOf(source, call.key.yaml!.range![0]) + 2;
  const blockIndent = call.flow.blockStart === undefined ? 0 : columnOf(source, call.flow.blockStart);
  return blockIndent + 2 * call.flow.depth + 2;
}

/** Just past the `:` that follows a mapping key (there may be spaces, or a newline after an explicit key). */
function afterColon(source: string, key: StringNode): number {
  let at = key.yaml!.range![1];
  while (at < source.length && source[at] !== ':') {
    at = source[at] === '#' && /\s/.test(source[at - 1]!) ? lineEnd(source, at) : at + 1;
  }
  return at + 1;
}

/**
 * Where a scalar's text ends. A block scalar takes the blank lines after it along, as yaml.v3
 * writes none there; the line break before what follows stays.
 */
function scalarEnd(source: string, scalar: Scalar): number {
  const [start, end] = scalar.range!;
  if (scalar.type !== 'BLOCK_LITERAL' && scalar.type !== 'BLOCK_FOLDED') return end;
  let contentEnd = end;
  while (contentEnd > start && /\s/.test(source[contentEnd - 1]!)) contentEnd--;
  let next = contentEnd;
  while (next < source.length && /\s/.test(source[next]!)) next++;
  if (next === source.length) return lineEnd(source, contentEnd);
  const lastBreak = source.lastIndexOf('\n', next);
  return source[lastBreak - 1] === '\r' ? lastBreak - 1 : lastBreak;
}

/** The comment after a block scalar's `|` or `>` indicator, which yaml.v3 keeps as the scalar's line comment. */
function blockHeaderComment(scalar: Scalar): string | undefined {
  const props = (scalar.srcToken as { props?: Array<{ type: string; source: string }> } | undefined)?.props ?? [];
  return props.find((p) => p.type === 'comment')?.source.trimEnd();
}

/** Start of the tag or anchor in front of a value, else of the value. */
function propsStart(source: string, from: number, valueStart: number): number {
  const first = source.slice(from, valueStart).search(/[!&]/);
  return first < 0 ? valueStart : from + first;
}

interface Comment {
  text: string;
  /** On the line where the gap starts, i.e. a line comment of what precedes it. */
  onFirstLine: boolean;
  indent: string;
}

/** The comments in a stretch of source that holds only whitespace, comments and node properties. */
function commentsBetween(source: string, from: number, to: number): Comment[] {
  const comments: Comment[] = [];
  let onFirstLine = true;
  for (let at = from; at < to; ) {
    const ch = source[at]!;
    if (ch === '\n') {
      onFirstLine = false;
      at++;
    } else if (ch === '#' && /\s/.test(source[at - 1]!)) {
      const end = lineEnd(source, at);
      const lineStart = source.lastIndexOf('\n', at - 1) + 1;
      const indent = source.slice(lineStart, at);
      comments.push({ text: source.slice(at, end).trimEnd(), onFirstLine, indent: /^\s*$/.test(indent) ? indent : '' });
      at = end;
    } else {
      at++;
    }
  }
  return comments;
}

/** A comment that follows position `at` on the same line, with where it ends. */
function trailingComment(source: string, at: number): { text: string; end: number } | undefined {
  const match = /^[ \t]+(#[^\r\n]*)/.exec(source.slice(at, lineEnd(source, at)));
  if (!match) return undefined;
  return { text: match[1]!.trimEnd(), end: at + match[0].length };
}

/** The end of the line holding `at`, before its line break. */
function lineEnd(source: string, at: number): number {
  const newline = source.indexOf('\n', at);
  if (newline < 0) return source.length;
  return source[newline - 1] === '\r' && newline - 1 >= at ? newline - 1 : newline;
}

/** The column (0-based, in characters) of a source offset. */
function columnOf(source: string, at: number): number {
  return [...source.slice(source.lastIndexOf('\n', at - 1) + 1, at)].length;
}

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

function styleOf(scalar: Scalar): ScalarStyle {
  switch (scalar.type) {
    case 'QUOTE_SINGLE':
      return 'single';
    case 'QUOTE_DOUBLE':
      return 'double';
    case 'BLOCK_LITERAL':
      return 'literal';
    case 'BLOCK_FOLDED':
      return 'folded';
    default:
      return 'plain';
  }
}

interface PlaintextPlacement {
  /** The style of the ciphertext string the plaintext takes the place of. */
  requested: ScalarStyle;
  /** Inside a flow collection, where block scalars cannot go. */
  flow: boolean;
  /** The indentation of continuation lines: two past the `fn::secret` key. */
  indent: number;
  /** The column just after the key's colon. */
  column: number;
}

/** How yaml.v3 writes the plaintext after `fn::secret:`, given a line comment to put on a block scalar's header. */
function writePlaintext(value: string, placement: PlaintextPlacement): { block: boolean; write: (comment?: string) => string } {
  const style = chooseStyle(value, placement.requested, placement.flow);
  const write = (comment?: string) => {
    const writer = new ScalarWriter(placement.indent, placement.column);
    if (style === 'plain') writer.plain(value);
    else if (style === 'single') writer.singleQuoted(value);
    else if (style === 'double') writer.doubleQuoted(value);
    else writer.blockScalar(value, style, comment);
    return writer.text;
  };
  return { block: style === 'literal' || style === 'folded', write };
}

/** The style ESC's encoder and yaml.v3's emitter settle on for a string value written in place of a `requested`-style one. */
function chooseStyle(value: string, requested: ScalarStyle, flow: boolean): ScalarStyle {
  let style = requested;
  // ESC quotes strings that Go would read as floats or booleans.
  if (goParsesFloat(value, 32) || value === 'true' || value === 'false') style = 'single';
  // yaml.v3 writes a multi-line plain string as a literal, and quotes one that would read back as another type.
  if (style === 'plain' && value.includes('\n')) style = 'literal';
  else if (style === 'plain' && !yamlV3ReadsAsString(value)) style = 'double';
  const allows = analyzeScalar(value);
  if (style === 'plain' && (!(flow ? allows.flowPlain : allows.blockPlain) || (value === '' && flow))) style = 'single';
  if (style === 'single' && !allows.singleQuoted) style = 'double';
  if ((style === 'literal' || style === 'folded') && (!allows.block || flow)) style = 'double';
  return style;
}

const isBreak = (ch: string | undefined) => ch === '\n' || ch === '\r' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029';
const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t';

/** yaml.v3 writes these characters as they are; the others need a double-quoted escape. */
function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

interface ScalarAllowances {
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** Which styles can hold a value, by yaml.v3's emitter rules (its yaml_emitter_analyze_scalar). */
function analyzeScalar(value: string): ScalarAllowances {
  if (value === '') return { flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  const chars = [...value];
  let flowIndicators = value.startsWith('---') || value.startsWith('...');
  let blockIndicators = flowIndicators;
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let spaceBreak = false;
  let breakSpace = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  chars.forEach((ch, index) => {
    const followedByWhitespace = index + 1 >= chars.length || isBlank(chars[index + 1]);
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) flowIndicators = blockIndicators = true;
      else if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === '-' && followedByWhitespace) flowIndicators = blockIndicators = true;
    } else if (',?[]{}'.includes(ch)) flowIndicators = true;
    else if (ch === ':') {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) flowIndicators = blockIndicators = true;

    if (ch === '\t') tabs = true;
    else if (!isPrintable(ch)) special = true;
    if (ch === ' ') {
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      lineBreaks = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = previousBreak = false;
    }
    precededByWhitespace = isBlank(ch) || isBreak(ch) || ch === '\0';
  });
  const first = chars[0];
  const last = chars[chars.length - 1];
  const edgeWhitespace = first === ' ' || isBreak(first) || last === ' ' || isBreak(last);
  const onlyDoubleOrBlock = spaceBreak || tabs || special;
  return {
    flowPlain: !edgeWhitespace && !breakSpace && !onlyDoubleOrBlock && !lineBreaks && !flowIndicators,
    blockPlain: !edgeWhitespace && !breakSpace && !onlyDoubleOrBlock && !lineBreaks && !blockIndicators,
    singleQuoted: !breakSpace && !onlyDoubleOrBlock,
    block: last !== ' ' && !spaceBreak && !special,
  };
}

const doubleQuotedEscapes: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/**
 * yaml.v3's scalar writers, with just the emitter state they consult: where the line is, and
 * whether the last thing written was whitespace or indentation. Lines are never folded for width.
 */
class ScalarWriter {
  text = '';
  // Just past the key's `:` indicator.
  private whitespace = false;
  private indention = false;

  constructor(
    private readonly indent: number,
    private column: number,
  ) {}

  plain(value: string): void {
    if (value !== '' && !this.whitespace) this.put(' ');
    for (const ch of value) this.put(ch);
  }

  singleQuoted(value: string): void {
    this.indicator("'", true);
    let breaks = false;
    for (const ch of value) {
      if (isBreak(ch)) {
        // A lone line break folds to a space inside quotes, so it is written as an empty line.
        if (!breaks && ch === '\n') this.newline();
        this.lineBreak(ch);
        breaks = true;
      } else {
        if (breaks) this.indentLine();
        if (ch === "'") this.put("'");
        this.put(ch);
        this.indention = false;
        breaks = false;
      }
    }
    this.indicator("'", false);
  }

  doubleQuoted(value: string): void {
    this.indicator('"', true);
    // yaml.v3 checks for a byte order mark at the start of the value, not at each character.
    const escapeAll = value.startsWith('\ufeff');
    for (const ch of value) {
      if (escapeAll || !isPrintable(ch) || isBreak(ch) || ch === '"' || ch === '\\') this.put(`\\${escapeOf(ch)}`);
      else this.put(ch);
    }
    this.indicator('"', false);
  }

  /**
   * A literal or folded scalar. yaml.v3 ends the header line only when the first character needs
   * it, which drops a leading line break; the header line is always ended here, so it survives.
   */
  blockScalar(value: string, style: 'literal' | 'folded', comment: string | undefined): void {
    this.indicator(style === 'literal' ? '|' : '>', true);
    this.blockHints(value);
    if (comment) this.put(` ${comment}`);
    this.newline();
    this.whitespace = true;
    const chars = [...value];
    const firstContent = chars.find((ch) => !isBreak(ch));
    let breaks = true;
    let leadingSpaces = true;
    for (const ch of chars) {
      if (isBreak(ch)) {
        // A folded line break needs an empty line to stay a line break, unless the text starts blank.
        if (style === 'folded' && !breaks && !leadingSpaces && ch === '\n' && !isBlank(firstContent)) this.newline();
        this.lineBreak(ch);
        breaks = true;
      } else {
        if (breaks) {
          this.indentLine();
          leadingSpaces = isBlank(ch);
        }
        this.put(ch);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** The indentation indicator when the text starts with a space or break, and the chomping indicator. */
  private blockHints(value: string): void {
    const chars = [...value];
    if (chars[0] === ' ' || isBreak(chars[0])) this.put('2');
    const last = chars[chars.length - 1];
    if (!isBreak(last)) this.put('-');
    else if (chars.length === 1 || isBreak(chars[chars.length - 2])) this.put('+');
  }

  private indicator(text: string, needWhitespace: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = false;
    this.indention = false;
  }

  private put(text: string): void {
    this.text += text;
    this.column += [...text].length;
  }

  private newline(): void {
    this.text += '\n';
    this.column = 0;
    this.indention = true;
  }

  private lineBreak(ch: string): void {
    if (ch === '\n') return this.newline();
    this.text += ch;
    this.column = 0;
    this.indention = true;
  }

  private indentLine(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) this.newline();
    while (this.column < this.indent) this.put(' ');
    this.whitespace = true;
  }
}

function escapeOf(ch: string): string {
  const named = doubleQuotedEscapes[ch];
  if (named) return named;
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}

/** Whether yaml.v3 reads this text, written plain, back as a string (its resolve()). */
function yamlV3ReadsAsString(text: string): boolean {
  if (yamlV3Keywords.has(text)) return false;
  const first = text[0]!;
  if (first === '.') return !goParsesFloat(text, 64);
  if (!/[-+0-9]/.test(first)) return true;
  if (looksLikeTimestamp(text)) return false;
  const digits = text.replaceAll('_', '');
  if (goParsesInt(digits)) return false;
  return !(/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(digits) && goParsesFloat(digits, 64));
}

const yamlV3Keywords = new Set([
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['', '~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
]);

/** Go's strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds (the text has no underscores). */
function goParsesInt(text: string): boolean {
  const match = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return false;
  const [, sign, digits] = match as unknown as [string, string, string];
  const octal = /^0[0-7]/.test(digits);
  const magnitude = BigInt(octal ? `0o${digits.slice(1)}` : digits);
  const max = sign === '-' ? 1n << 63n : sign === '+' ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  return magnitude <= max;
}

/**
 * Go's strconv.ParseFloat(s, bits) succeeds: Go's float syntax (decimal, or hexadecimal with a
 * `p` exponent; `inf`, `infinity` and `nan` in any case) and no overflow at that size.
 */
function goParsesFloat(text: string, bits: 32 | 64): boolean {
  if (/^[-+]?(inf|infinity)$/i.test(text) || /^nan$/i.test(text)) return true;
  const value = goFloatValue(text);
  if (value === undefined) return false;
  return Number.isFinite(bits === 32 ? Math.fround(value) : value);
}

function goFloatValue(text: string): number | undefined {
  const hex = /^([-+]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([-+]?[0-9_]+)$/.exec(text);
  if (hex) {
    const [, sign, whole, fraction = '', exponent] = hex as unknown as [string, string, string, string | undefined, string];
    if (!goUnderscoresOk(text) || whole.replaceAll('_', '') + fraction.replaceAll('_', '') === '') return undefined;
    const mantissa = Number.parseInt(`${whole}${fraction}`.replaceAll('_', '') || '0', 16) / 16 ** fraction.replaceAll('_', '').length;
    return (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent.replaceAll('_', ''));
  }
  if (!/^[-+]?([0-9_]+\.?[0-9_]*|\.[0-9_]+)([eE][-+]?[0-9_]+)?$/.test(text) || !/[0-9]/.test(text)) return undefined;
  if (text.includes('_') && !goUnderscoresOk(text)) return undefined;
  return Number(text.replaceAll('_', ''));
}

/** Go's rule for `_` in number literals: only between digits, or after a base prefix. */
function goUnderscoresOk(text: string): boolean {
  const body = text.replace(/^[-+]/, '');
  const prefixed = /^0[bBoOxX]/.test(body);
  const hex = /^0[xX]/.test(body);
  let saw: 'start' | 'digit' | 'underscore' | 'other' = prefixed ? 'digit' : 'start';
  for (const ch of prefixed ? body.slice(2) : body) {
    if (/[0-9]/.test(ch) || (hex && /[a-fA-F]/.test(ch))) saw = 'digit';
    else if (ch === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else if (saw === 'underscore') return false;
    else saw = 'other';
  }
  return saw !== 'underscore';
}

/** yaml.v3's timestamps: Go's time.Parse of a date, optionally with a time, in the layouts yaml.v3 tries. */
function looksLikeTimestamp(text: string): boolean {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[-+](\d{2}):(\d{2}))?)?$/.exec(text);
  if (!match) return false;
  const [, year, month, day, separator, hour, minute, second, zone, zoneHour, zoneMinute] = match;
  if (separator === ' ' ? zone !== undefined : separator !== undefined && zone === undefined) return false;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysIn(Number(year), Number(month))) return false;
  if (separator === undefined) return true;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
  return zoneHour === undefined || (Number(zoneHour) <= 24 && Number(zoneMinute) <= 60);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
