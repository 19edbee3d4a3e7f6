// The syntax layer of an environment definition: YAML decoded into plain nodes, each with the
// source range and property path Pulumi ESC reports in its diagnostics. Positions follow ESC's
// YAML decoder: a node starts where the YAML parser marks it, and ends where the end of its last
// child, or its start plus the length of its decoded value, says.
import YAML, { isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';

export interface Pos {
  line: number;
  column: number;
  byte: number;
}

export interface Range {
  filename: string;
  start: Pos;
  end: Pos;
}

export const DiagSeverity = { error: 1, warning: 2 } as const;

export interface Diagnostic {
  severity: number;
  summary: string;
  detail?: string;
  range?: Range;
  path: string;
}

export function errorAt(range: Range | undefined, summary: string, path: string): Diagnostic {
  return { severity: DiagSeverity.error, summary, range, path };
}

export function nodeError(node: SyntaxNode | undefined, summary: string): Diagnostic {
  return errorAt(node?.range, summary, node?.path ?? '');
}

export function nodeWarning(node: SyntaxNode | undefined, summary: string): Diagnostic {
  return { ...nodeError(node, summary), severity: DiagSeverity.warning };
}

interface NodeBase {
  range?: Range;
  /** The property path of the node from the document root, as ESC prints it (`values.a["fn::join"]`). */
  path: string;
  /** The YAML node it came from, for rewriting the text in place. */
  yaml?: YamlNode;
}

export type SyntaxNode =
  | (NodeBase & { kind: 'null' })
  | (NodeBase & { kind: 'boolean'; value: boolean })
  | (NodeBase & { kind: 'number'; value: number; text: string })
  | StringNode
  | (NodeBase & { kind: 'array'; elements: SyntaxNode[] })
  | ObjectNode;

export type StringNode = NodeBase & { kind: 'string'; value: string };
export type ObjectNode = NodeBase & { kind: 'object'; entries: ObjectEntry[] };

export interface ObjectEntry {
  key: StringNode;
  value: SyntaxNode;
}

/** Appends a key to a property path, quoting it unless it is a plain identifier. */
export function joinKey(root: string, key: string): string {
  if (key === '') return root;
  if (!mustEscapeKey(key)) return root === '' ? key : `${root}.${key}`;
  return `${root}["${key.replaceAll('"', '\\"')}"]`;
}

function mustEscapeKey(key: string): boolean {
  let index = 0;
  for (const ch of key) {
    const ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || (index > 0 && ch >= '0' && ch <= '9');
    if (!ok) return true;
    index++;
  }
  return false;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Display cells of a grapheme cluster, as the terminal-width rules ESC's Go decoder uses count them. */
function displayWidth(cluster: string): number {
  const first = cluster.codePointAt(0)!;
  if (first < 0x20 || (first >= 0x7f && first < 0xa0)) return 0;
  if (cluster.includes('\ufe0f') || /^\p{Emoji_Presentation}/u.test(cluster)) return 2;
  return isWide(first) ? 2 : 1;
}

/** East Asian Wide and Fullwidth code points. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x2fffd) ||
    (cp >= 0x30000 && cp <= 0x3fffd)
  );
}

/**
 * Line starts and the UTF-8 byte offset of each, to turn the YAML parser's offsets into ESC
 * positions. Every node asks, so an answer costs no more than a lookup on the usual all-ASCII
 * line, however long (a definition on one line has as many nodes as characters).
 */
class PositionIndex {
  private readonly lines: Array<{ offset: number; byte: number; text: string; ascii: boolean; lowSurrogates?: Int32Array }> = [];

  constructor(private readonly source: string) {
    let offset = 0;
    let byte = 0;
    for (;;) {
      const newline = source.indexOf('\n', offset);
      const text = source.slice(offset, newline < 0 ? undefined : newline);
      // eslint-disable-next-line no-control-regex
      this.lines.push({ offset, byte, text, ascii: /^[\u0000-\u007f]*$/.test(text) });
      if (newline < 0) break;
      byte += Buffer.byteLength(text) + 1;
      offset = newline + 1;
    }
  }

  /** 1-based line and column (in characters) of a UTF-16 offset. */
  lineColumn(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lines.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lines[mid]!.offset <= offset) low = mid;
      else high = mid - 1;
    }
    const line = this.lines[low]!;
    const units = offset - line.offset;
    if (line.ascii) return { line: low + 1, column: units + 1 };
    // Characters are UTF-16 units less the second half of each surrogate pair before `offset`.
    line.lowSurrogates ??= lowSurrogateCounts(line.text);
    const within = Math.max(0, Math.min(units, line.text.length));
    return { line: low + 1, column: units - line.lowSurrogates[within]! + 1 };
  }

  /**
   * ESC's position for a line and column; ESC leaves the byte at 0 past the last line. On a line
   * that is not all ASCII, ESC finds the byte by walking grapheme clusters and counting each by its
   * display width (two cells for wide characters), though the column it is given counts characters;
   * the byte follows the same walk, and stops at the end of the line.
   */
  pos(line: number, column: number): Pos {
    if (line < 0 || line >= this.lines.length) return { line, column, byte: 0 };
    const { text, byte, ascii } = this.lines[line - 1]!;
    if (ascii) return { line, column, byte: byte + column - 1 };
    let offset = byte;
    let cells = 1;
    for (const { segment } of graphemes.segment(text)) {
      if (cells >= column) break;
      offset += Buffer.byteLength(segment);
      cells += displayWidth(segment);
    }
    return { line, column, byte: offset };
  }

  /** Where the YAML parser of ESC marks a node: empty scalars sit just after their indicator. */
  start(node: YamlNode): { line: number; column: number } {
    let offset = node.range![0];
    if (isScalar(node) && node.source === '' && node.value === null) {
      let back = offset;
      while (back > 0 && (this.source[back - 1] === ' ' || this.source[back - 1] === '\t')) back--;
      if (back > 0 && ['-', ':', '?'].includes(this.source[back - 1]!)) offset = back;
    }
    return this.lineColumn(offset);
  }
}

/** For each UTF-16 index of `text`, how many low surrogates come before it. */
function lowSurrogateCounts(text: string): Int32Array {
  const counts = new Int32Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    counts[i + 1] = counts[i]! + (unit >= 0xdc00 && unit <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff ? 1 : 0);
  }
  return counts;
}

export interface DecodeResult {
  node?: SyntaxNode;
  diags: Diagnostic[];
}

/** Decodes an environment definition; an empty file is an empty object. */
export function decodeYaml(filename: string, source: string): DecodeResult {
  if (source.length === 0) return { node: { kind: 'object', entries: [], path: '' }, diags: [] };
  const document: Document = YAML.parseDocument(source, { keepSourceTokens: true, uniqueKeys: false, strict: false });
  const error = document.errors[0];
  if (error) return { diags: [errorAt(undefined, yamlErrorSummary(error, source), '')] };
  if (document.contents === null) return { diags: [] };
  const positions = new PositionIndex(source);
  const diags: Diagnostic[] = [];
  const node = decodeNode(filename, positions, document.contents as YamlNode, '', diags);
  return { node, diags };
}

/** ESC reports YAML syntax errors in the words of its Go parser; the common ones are mapped. */
function yamlErrorSummary(error: YAML.YAMLError, source: string): string {
  const line = error.linePos?.[0]?.line ?? 1;
  if (error.code === 'BAD_INDENT' && /Flow sequence/.test(error.message)) {
    // Go's parser names the line (0-based) where the unterminated sequence began.
    const open = source.lastIndexOf('[', error.pos[0]);
    const opened = open < 0 ? line - 1 : source.slice(0, open).split('\n').length - 1;
    return `yaml: line ${opened}: did not find expected ',' or ']'`;
  }
  if (error.code === 'BAD_INDENT' && /Flow mapping/.test(error.message)) {
    const open = source.lastIndexOf('{', error.pos[0]);
    const opened = open < 0 ? line - 1 : source.slice(0, open).split('\n').length - 1;
    return `yaml: line ${opened}: did not find expected ',' or '}'`;
  }
  return `yaml: line ${line}: ${error.message.split('\n')[0]}`;
}

function decodeNode(filename: string, positions: PositionIndex, yaml: YamlNode, path: string, diags: Diagnostic[]): SyntaxNode | undefined {
  const start = positions.start(yaml);
  const end = endOf(positions, yaml);
  const range: Range = { filename, start: positions.pos(start.line, start.column), end: positions.pos(end.line, end.column) };
  const base = { range, path, yaml };
  if (isSeq(yaml)) {
    const elements = yaml.items.map((item, index) => decodeNode(filename, positions, item as YamlNode, `${path}[${index}]`, diags));
    return { ...base, kind: 'array', elements: elements.filter((e): e is SyntaxNode => e !== undefined) };
  }
  if (isMap(yaml)) {
    const entries: ObjectEntry[] = [];
    for (const pair of yaml.items) {
      const keyYaml = pair.key as YamlNode;
      const keyText = isScalar(keyYaml) ? String(keyYaml.source ?? keyYaml.value) : '';
      const entryPath = joinKey(path, keyText);
      const key = decodeNode(filename, positions, keyYaml, entryPath, diags);
      const value = pair.value === null ? nullAfter(filename, positions, keyYaml, entryPath) : decodeNode(filename, positions, pair.value as YamlNode, entryPath, diags);
      if (!key || key.kind !== 'string') {
        diags.push(errorAt(key?.range, 'mapping keys must be strings', key?.path ?? entryPath));
        continue;
      }
      if (value) entries.push({ key, value });
    }
    return { ...base, kind: 'object', entries };
  }
  if (isScalar(yaml)) {
    const value = yaml.value;
    if (value === null || value === undefined) return { ...base, kind: 'null' };
    if (typeof value === 'boolean') return { ...base, kind: 'boolean', value };
    if (typeof value === 'number' || typeof value === 'bigint') return { ...base, kind: 'number', value: Number(value), text: String(yaml.source ?? value) };
    return { ...base, kind: 'string', value: String(value) };
  }
  diags.push(errorAt(range, 'alias nodes are not supported', path));
  return undefined;
}

/** `key:` with nothing after it: Go's parser puts the null just past the colon. */
function nullAfter(filename: string, positions: PositionIndex, key: YamlNode, path: string): SyntaxNode {
  const at = positions.lineColumn(key.range![1]);
  const pos = positions.pos(at.line, at.column + 1);
  return { kind: 'null', path, range: { filename, start: pos, end: pos } };
}

/** ESC's end position: a collection ends with its last child; a scalar at its start plus its decoded length. */
function endOf(positions: PositionIndex, yaml: YamlNode): { line: number; column: number } {
  if (isSeq(yaml) || isMap(yaml)) {
    const items = yaml.items as unknown[];
    const last = items[items.length - 1];
    if (last === undefined) return positions.start(yaml);
    if (isSeq(yaml)) return endOf(positions, last as YamlNode);
    const pair = last as { key: YamlNode; value: YamlNode | null };
    return endOf(positions, pair.value ?? pair.key);
  }
  let { line, column } = positions.start(yaml);
  let text = isScalar(yaml) ? scalarText(yaml) : '';
  if (isScalar(yaml) && yaml.type === 'BLOCK_LITERAL') {
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n')) {
      line++;
      text = text.slice(newline + 1);
    }
  }
  const tag = isScalar(yaml) ? tagText(yaml) : undefined;
  if (tag) column += tag.length + 1;
  return { line, column: column + Buffer.byteLength(text) };
}

/** The scalar's value as Go's decoder holds it (its text form, for numbers and booleans too). */
function scalarText(yaml: YAML.Scalar): string {
  if (yaml.type === 'PLAIN') return String(yaml.source ?? '');
  return typeof yaml.value === 'string' ? yaml.value : String(yaml.source ?? yaml.value ?? '');
}

function tagText(yaml: YAML.Scalar): string | undefined {
  const props = (yaml.srcToken as { props?: Array<{ type: string; source: string }> } | undefined)?.props ?? [];
  return props.find((p) => p.type === 'tag')?.source;
}
