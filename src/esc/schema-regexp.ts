// Go regular expressions (RE2 syntax, as Go's regexp.Compile reads the `pattern` of a schema) on
// JavaScript's RegExp. The pattern is parsed the way Go's regexp/syntax parses it, failing with
// Go's messages, and rewritten into a `u`-mode JavaScript pattern with the same matches: the two
// dialects differ in ways that would otherwise pass silently (`\s` and `\w` are ASCII-only in Go,
// `.` matches `\r`, `[[:alpha:]]`, `\A`, `\z`, `\Q…\E` and mid-pattern flags like `(?i:…)` exist
// only in Go, lookarounds and backreferences only in JavaScript).

type CodeRange = [number, number];

interface Flags {
  fold: boolean;
  multiLine: boolean;
  dotNL: boolean;
  nonGreedy: boolean;
}

/** A piece of the rewritten pattern that a repetition operator may apply to. */
interface Atom {
  source: string;
  /** Empty-width (`^`, `\b`, …) or already repeated: JavaScript needs a group around it to repeat it. */
  needsGroup: boolean;
  /** The largest product of `{n,m}` counts nested inside, which Go caps at 1000. */
  weight: number;
}

interface Group {
  open: string;
  alternatives: Atom[][];
  outerFlags: Flags;
}

/** A character class: code point ranges plus `\p{…}` items that stay as JavaScript property escapes. */
interface ClassSet {
  ranges: CodeRange[];
  properties: string[];
}

const maxRune = 0x10ffff;
const maxRepeat = 1000;

const perlClasses: Record<string, CodeRange[]> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const posixClasses: Record<string, CodeRange[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

const errorMessages = {
  missingParen: 'missing closing )',
  unexpectedParen: 'unexpected )',
  missingBracket: 'missing closing ]',
  invalidEscape: 'invalid escape sequence',
  invalidCharRange: 'invalid character class range',
  invalidNamedCapture: 'invalid named capture',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  missingRepeatArgument: 'missing argument to repetition operator',
  trailingBackslash: 'trailing backslash at end of expression',
} as const;

/** Go's *syntax.Error, with its message. */
export class GoRegexpError extends Error {
  constructor(code: keyof typeof errorMessages, expr: string) {
    super(`error parsing regexp: ${errorMessages[code]}: \`${expr}\``);
  }
}

/**
 * Compiles a Go regular expression into a JavaScript RegExp that matches the same strings (test()
 * is Go's MatchString: unanchored), or throws GoRegexpError with Go's message.
 */
export function compileGoRegexp(pattern: string): RegExp {
  const plain = new Translator(pattern, false);
  const source = plain.translate();
  // JavaScript (before `(?i:…)` modifiers) can only fold case for a whole pattern: when only part
  // of it folds, the folding parts spell out their case variants instead.
  if (plain.sawFolded && plain.sawUnfolded) return new RegExp(new Translator(pattern, true).translate(), 'u');
  return new RegExp(source, plain.sawFolded ? 'iu' : 'u');
}

class Translator {
  private pos = 0;
  private flags: Flags = { fold: false, multiLine: false, dotNL: false, nonGreedy: false };
  private group: Group = { open: '', alternatives: [[]], outerFlags: this.flags };
  private readonly outer: Group[] = [];
  sawFolded = false;
  sawUnfolded = false;

  constructor(
    private readonly pattern: string,
    private readonly spellOutFolding: boolean,
  ) {}

  translate(): string {
    let lastRepeat = '';
    while (this.pos < this.pattern.length) {
      const start = this.pos;
      const repeated = this.step(lastRepeat);
      lastRepeat = repeated ? this.pattern.slice(start) : '';
    }
    if (this.outer.length > 0) throw new GoRegexpError('missingParen', this.pattern);
    return this.joined(this.group);
  }

  /** Reads one token; true when it was a repetition operator. */
  private step(lastRepeat: string): boolean {
    const c = this.pattern[this.pos]!;
    switch (c) {
      case '(':
        this.openGroup();
        return false;
      case '|':
        this.pos++;
        this.group.alternatives.push([]);
        return false;
      case ')':
        this.closeGroup();
        return false;
      case '^':
        this.pos++;
        this.push(this.flags.multiLine ? '(?<=^|\\n)' : '^', true);
        return false;
      case '$':
        this.pos++;
        this.push(this.flags.multiLine ? '(?=$|\\n)' : '$', true);
        return false;
      case '.':
        this.pos++;
        this.push(this.flags.dotNL ? '[^]' : '[^\\n]');
        return false;
      case '[':
        this.pushClass(this.parseClass());
        return false;
      case '*':
      case '+':
      case '?':
        this.pos++;
        this.repeat(c, -1, -1, lastRepeat);
        return true;
      case '{': {
        const counts = this.parseRepeatCounts();
        if (!counts) {
          this.pos++;
          this.pushLiteral(0x7b);
          return false;
        }
        this.repeat(this.pattern.slice(this.pos, counts.end), counts.min, counts.max, lastRepeat, counts.end);
        return true;
      }
      case '\\':
        this.escape();
        return false;
      default: {
        const cp = this.pattern.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        this.pushLiteral(cp);
        return false;
      }
    }
  }

  private get sequence(): Atom[] {
    return this.group.alternatives[this.group.alternatives.length - 1]!;
  }

  private push(source: string, needsGroup = false, weight = 0): void {
    this.sequence.push({ source, needsGroup, weight });
  }

  private joined(group: Group): string {
    return group.alternatives.map((sequence) => sequence.map((atom) => atom.source).join('')).join('|');
  }

  private openGroup(): void {
    const rest = this.pattern.slice(this.pos);
    if (!rest.startsWith('(?')) {
      this.pos++;
      this.enterGroup('(', this.flags);
      return;
    }
    const named = /^\(\?P?</.exec(rest);
    if (named && rest.length > named[0].length) {
      const end = rest.indexOf('>');
      if (end < 0) throw new GoRegexpError('invalidNamedCapture', rest);
      const name = rest.slice(named[0].length, end);
      if (!/^[0-9A-Za-z_]+$/.test(name)) throw new GoRegexpError('invalidNamedCapture', rest.slice(0, end + 1));
      // Names only matter for submatches, which schemas never ask for.
      this.pos += end + 1;
      this.enterGroup('(', this.flags);
      return;
    }
    this.parseFlags(rest);
  }

  /** `(?flags)` sets flags for the rest of the group, `(?flags:…)` opens a group with them. */
  private parseFlags(rest: string): void {
    const flags = { ...this.flags };
    let negated = false;
    let sawFlag = false;
    for (let i = 2; i < rest.length; i++) {
      const c = rest[i]!;
      const on = !negated;
      if (c === 'i') flags.fold = on;
      else if (c === 'm') flags.multiLine = on;
      else if (c === 's') flags.dotNL = on;
      else if (c === 'U') flags.nonGreedy = on;
      else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
        continue;
      } else if ((c === ':' || c === ')') && (!negated || sawFlag)) {
        this.pos += i + 1;
        if (c === ':') this.enterGroup('(?:', this.flags);
        this.flags = flags;
        return;
      } else {
        throw new GoRegexpError('invalidPerlOp', rest.slice(0, i + 1));
      }
      sawFlag = true;
    }
    throw new GoRegexpError('invalidPerlOp', rest);
  }

  private enterGroup(open: string, outerFlags: Flags): void {
    this.outer.push(this.group);
    this.group = { open, alternatives: [[]], outerFlags };
  }

  private closeGroup(): void {
    const parent = this.outer.pop();
    if (!parent) throw new GoRegexpError('unexpectedParen', this.pattern);
    this.pos++;
    const closed = this.group;
    this.group = parent;
    this.flags = closed.outerFlags;
    const weight = Math.max(0, ...closed.alternatives.flat().map((atom) => atom.weight));
    this.push(`${closed.open}${this.joined(closed)})`, false, weight);
  }

  /** `{n}`, `{n,}` or `{n,m}` at the current position; anything else makes `{` a literal, as in Go. */
  private parseRepeatCounts(): { min: number; max: number; end: number } | undefined {
    const match = /^\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/.exec(this.pattern.slice(this.pos));
    if (!match) return undefined;
    const count = (digits: string) => (digits.length > 8 ? -1 : Number(digits));
    const min = count(match[1]!);
    const max = match[2] === undefined ? min : match[3] === undefined ? -1 : count(match[3]);
    const end = this.pos + match[0].length;
    const tooBig = min < 0 || min > maxRepeat || max > maxRepeat || (match[3] !== undefined && max < 0) || (max >= 0 && min > max);
    if (tooBig) throw new GoRegexpError('invalidRepeatSize', match[0]);
    return { min, max, end };
  }

  /** Applies a repetition operator (`op` read up to `end`) to the previous atom. */
  private repeat(op: string, min: number, max: number, lastRepeat: string, end = this.pos): void {
    this.pos = end;
    let lazy = this.flags.nonGreedy;
    if (this.pattern[this.pos] === '?') {
      this.pos++;
      lazy = !lazy;
    }
    const after = this.pattern.length - this.pos;
    if (lastRepeat !== '') throw new GoRegexpError('invalidRepeatOp', lastRepeat.slice(0, lastRepeat.length - after));
    const operatorText = this.pattern.slice(end - op.length, this.pos);
    const atom = this.sequence.pop();
    if (!atom) throw new GoRegexpError('missingRepeatArgument', operatorText);
    let weight = atom.weight;
    if (min >= 0) {
      const count = max < 0 ? min : max;
      weight = count === 0 ? 0 : count * Math.max(1, atom.weight);
      if (weight > maxRepeat) throw new GoRegexpError('invalidRepeatSize', operatorText);
    }
    const operand = atom.needsGroup ? `(?:${atom.source})` : atom.source;
    const quantifier = min < 0 ? op : max === min ? `{${min}}` : `{${min},${max < 0 ? '' : max}}`;
    this.sequence.push({ source: `${operand}${quantifier}${lazy ? '?' : ''}`, needsGroup: true, weight });
  }

  private escape(): void {
    const next = this.pattern[this.pos + 1];
    const assertions: Record<string, string> = { A: '^', z: '$', b: '\\b', B: '\\B' };
    if (next !== undefined && Object.hasOwn(assertions, next)) {
      this.pos += 2;
      this.push(assertions[next]!, true);
      return;
    }
    if (next === 'C') throw new GoRegexpError('invalidEscape', '\\C');
    if (next === 'Q') {
      const end = this.pattern.indexOf('\\E', this.pos + 2);
      const literal = this.pattern.slice(this.pos + 2, end < 0 ? undefined : end);
      this.pos = end < 0 ? this.pattern.length : end + 2;
      for (const ch of literal) this.pushLiteral(ch.codePointAt(0)!);
      return;
    }
    const set: ClassSet = { ranges: [], properties: [] };
    if (this.parseUnicodeClass(set) || this.parsePerlClass(set)) {
      this.pushClass(set);
      return;
    }
    this.pushLiteral(this.parseEscape());
  }

  /** A single-character escape (octal, hex, C-style or punctuation), as Go's parseEscape. */
  private parseEscape(): number {
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.pattern.length) throw new GoRegexpError('trailingBackslash', '');
    const c = this.readChar();
    const invalid = () => new GoRegexpError('invalidEscape', this.pattern.slice(start, this.pos));
    const isOctal = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '7';
    if (c < 0x80 && !/[0-9A-Za-z]/.test(String.fromCharCode(c))) return c;
    const letter = String.fromCharCode(c);
    if (letter >= '1' && letter <= '7' && !isOctal(this.pattern[this.pos])) throw invalid();
    if (letter >= '0' && letter <= '7') {
      let value = c - 0x30;
      for (let i = 1; i < 3 && isOctal(this.pattern[this.pos]); i++) value = value * 8 + (this.pattern.charCodeAt(this.pos++) - 0x30);
      return value;
    }
    if (letter === 'x') return this.parseHexEscape(invalid);
    const controls: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (Object.hasOwn(controls, letter)) return controls[letter]!;
    throw invalid();
  }

  private parseHexEscape(invalid: () => GoRegexpError): number {
    if (this.pos >= this.pattern.length) throw invalid();
    const hex = (ch: number) => (/^[0-9A-Fa-f]$/.test(String.fromCodePoint(ch)) ? parseInt(String.fromCodePoint(ch), 16) : -1);
    const first = this.readChar();
    if (first === 0x7b) {
      let value = 0;
      let digits = 0;
      for (;;) {
        if (this.pos >= this.pattern.length) throw invalid();
        const ch = this.readChar();
        if (ch === 0x7d) break;
        if (hex(ch) < 0) throw invalid();
        value = value * 16 + hex(ch);
        if (value > maxRune) throw invalid();
        digits++;
      }
      if (digits === 0) throw invalid();
      return value;
    }
    const second = this.pos < this.pattern.length ? this.readChar() : -1;
    if (hex(first) < 0 || second < 0 || hex(second) < 0) throw invalid();
    return hex(first) * 16 + hex(second);
  }

  private readChar(): number {
    const cp = this.pattern.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** `\d`, `\s`, `\w` and their negations: ASCII-only, as in Go. */
  private parsePerlClass(set: ClassSet): boolean {
    const match = /^\\([dDsSwW])/.exec(this.pattern.slice(this.pos));
    if (!match) return false;
    this.pos += 2;
    const letter = match[1]!;
    this.addGroup(set, perlClasses[letter.toLowerCase()]!, letter !== letter.toLowerCase());
    return true;
  }

  /** `\pL`, `\p{Greek}`, `\P{…}`, `\p{^…}`: Go's Unicode categories and scripts. */
  private parseUnicodeClass(set: ClassSet): boolean {
    const rest = this.pattern.slice(this.pos);
    if (!/^\\[pP]/.test(rest)) return false;
    let negated = rest[1] === 'P';
    let sequence: string;
    let name: string;
    if (rest[2] === '{') {
      const end = rest.indexOf('}');
      if (end < 0) throw new GoRegexpError('invalidCharRange', rest);
      sequence = rest.slice(0, end + 1);
      name = rest.slice(3, end);
    } else {
      sequence = rest.slice(0, 2 + (rest.codePointAt(2) !== undefined ? String.fromCodePoint(rest.codePointAt(2)!).length : 0));
      name = sequence.slice(2);
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const property = unicodeProperty(name);
    if (!property) throw new GoRegexpError('invalidCharRange', sequence);
    this.pos += sequence.length;
    // Folding a property is left to the `i` flag: when only part of the pattern folds, it is not folded.
    if (this.flags.fold) this.sawFolded = true;
    else this.sawUnfolded = true;
    set.properties.push(`\\${negated ? 'P' : 'p'}{${property}}`);
    return true;
  }

  /** Adds a predefined class, folded for case first when folding (as Go does, before negating). */
  private addGroup(set: ClassSet, ranges: CodeRange[], negated: boolean): void {
    const folded = this.flags.fold ? this.foldRanges(ranges) : ranges;
    set.ranges.push(...(negated ? complement(folded) : folded));
  }

  /** A bracketed class, read as Go's parseClass reads it: `]` first is literal, `-` is literal where no range fits. */
  private parseClass(): ClassSet & { negated: boolean } {
    const start = this.pos;
    const missingBracket = () => new GoRegexpError('missingBracket', this.pattern.slice(start));
    this.pos++;
    const set = { ranges: [] as CodeRange[], properties: [] as string[], negated: false };
    if (this.pattern[this.pos] === '^') {
      set.negated = true;
      this.pos++;
    }
    let first = true;
    while (this.pos >= this.pattern.length || this.pattern[this.pos] !== ']' || first) {
      first = false;
      if (this.parsePosixClass(set) || this.parseUnicodeClass(set) || this.parsePerlClass(set)) continue;
      const rangeStart = this.pos;
      const lo = this.parseClassChar(missingBracket);
      let hi = lo;
      if (this.pattern[this.pos] === '-' && this.pos + 1 < this.pattern.length && this.pattern[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.parseClassChar(missingBracket);
        if (hi < lo) throw new GoRegexpError('invalidCharRange', this.pattern.slice(rangeStart, this.pos));
      }
      set.ranges.push(...(this.flags.fold ? this.foldRanges([[lo, hi]]) : [[lo, hi] as CodeRange]));
    }
    this.pos++;
    return set;
  }

  private parseClassChar(missingBracket: () => GoRegexpError): number {
    if (this.pos >= this.pattern.length) throw missingBracket();
    if (this.pattern[this.pos] === '\\') return this.parseEscape();
    return this.readChar();
  }

  private parsePosixClass(set: ClassSet): boolean {
    const rest = this.pattern.slice(this.pos);
    if (!rest.startsWith('[:')) return false;
    const end = rest.indexOf(':]', 2);
    if (end < 0) return false;
    const spelled = rest.slice(0, end + 2);
    const negated = spelled[2] === '^';
    const ranges = posixClasses[spelled.slice(negated ? 3 : 2, end)];
    if (!ranges) throw new GoRegexpError('invalidCharRange', spelled);
    this.pos += spelled.length;
    this.addGroup(set, ranges, negated);
    return true;
  }

  private pushLiteral(cp: number): void {
    if (isCased(cp) && this.flags.fold) {
      this.sawFolded = true;
      if (this.spellOutFolding) {
        this.pushClass({ ranges: caseVariants(cp).map((v) => [v, v]), properties: [] });
        return;
      }
    } else if (isCased(cp)) {
      this.sawUnfolded = true;
    }
    this.push(escapeCodePoint(cp));
  }

  private pushClass(set: ClassSet & { negated?: boolean }): void {
    const items = set.ranges.map(([lo, hi]) => (lo === hi ? escapeCodePoint(lo) : `${escapeCodePoint(lo)}-${escapeCodePoint(hi)}`));
    if (!this.flags.fold && set.ranges.some(([lo, hi]) => hasCaseVariants(lo, hi))) this.sawUnfolded = true;
    this.push(`[${set.negated ? '^' : ''}${items.join('')}${set.properties.join('')}]`);
  }

  /** Ranges with the case variants of their characters added, when this pass spells folding out. */
  private foldRanges(ranges: CodeRange[]): CodeRange[] {
    if (ranges.some(([lo, hi]) => hasCaseVariants(lo, hi))) this.sawFolded = true;
    if (!this.spellOutFolding) return ranges;
    const folded = [...ranges];
    for (const [lo, hi] of ranges) {
      // Enumerating huge ranges costs too much; their ASCII letters are what patterns fold in practice.
      const limit = hi - lo > 5000 ? Math.min(hi, 0x7f) : hi;
      for (let cp = lo; cp <= limit; cp++) {
        if (isCased(cp)) for (const variant of caseVariants(cp)) if (variant !== cp) folded.push([variant, variant]);
      }
    }
    return folded;
  }
}

function escapeCodePoint(cp: number): string {
  return /^[0-9A-Za-z]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : `\\u{${cp.toString(16)}}`;
}

function complement(ranges: CodeRange[]): CodeRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const result: CodeRange[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) result.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= maxRune) result.push([next, maxRune]);
  return result;
}

/** Whether a character has other cases: cheap, and true for every character that folds with another. */
function isCased(cp: number): boolean {
  const ch = String.fromCodePoint(cp);
  return ch.toLowerCase() !== ch || ch.toUpperCase() !== ch;
}

function hasCaseVariants(lo: number, hi: number): boolean {
  if (lo <= 0x7a && hi >= 0x41) return true;
  for (let cp = lo; cp <= Math.min(hi, lo + 5000); cp++) if (isCased(cp)) return true;
  return false;
}

/** Characters grouped by the case they all map to; built on first use, as only partial (?i) needs it. */
let foldGroups: Map<string, number[]> | undefined;

function foldKey(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = lower.toUpperCase();
  if ([...upper].length === 1) return upper;
  return [...lower].length === 1 ? lower : ch;
}

function buildFoldGroups(): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  // Every cased character lies below U+20000.
  for (let cp = 0; cp < 0x20000; cp++) {
    if ((cp >= 0xd800 && cp <= 0xdfff) || !isCased(cp)) continue;
    const key = foldKey(String.fromCodePoint(cp));
    const group = groups.get(key);
    if (group) group.push(cp);
    else groups.set(key, [cp]);
  }
  return groups;
}

const caseVariantCache = new Map<number, number[]>();

/**
 * The characters equal to `cp` under Unicode simple case folding, which Go's (?i) uses and which
 * JavaScript's `iu` mode implements: the characters sharing its case mapping, as the RegExp
 * engine confirms.
 */
function caseVariants(cp: number): number[] {
  const known = caseVariantCache.get(cp);
  if (known) return known;
  let variants = [cp];
  if (isCased(cp)) {
    foldGroups ??= buildFoldGroups();
    const sameFold = new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu');
    variants = (foldGroups.get(foldKey(String.fromCodePoint(cp))) ?? [cp]).filter((other) => other === cp || sameFold.test(String.fromCodePoint(other)));
  }
  caseVariantCache.set(cp, variants);
  return variants;
}

/** Go's Unicode general categories (unicode.Categories). */
const goCategories = new Set('C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));

/**
 * Go's scripts (unicode.Scripts) whose names survive canonicalName unchanged: since Go 1.25 the
 * lookup canonicalises first, so multi-word scripts (Old_Italic, SignWriting) are out of reach.
 */
const goScripts = new Set(
  ('Adlam Ahom Arabic Armenian Avestan Balinese Bamum Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Carian ' +
    'Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot Cyrillic Deseret Devanagari Dogra Duployan Elbasan Elymaic ' +
    'Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gurmukhi Han Hangul Hanunoo Hatran Hebrew Hiragana Inherited ' +
    'Javanese Kaithi Kannada Katakana Kawi Kharoshthi Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Lisu Lycian Lydian Mahajani ' +
    'Makasar Malayalam Mandaic Manichaean Marchen Medefaidrin Miao Modi Mongolian Mro Multani Myanmar Nabataean Nandinagari Newa ' +
    'Nko Nushu Ogham Oriya Osage Osmanya Palmyrene Phoenician Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham Sinhala ' +
    'Sogdian Soyombo Sundanese Syriac Tagalog Tagbanwa Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta ' +
    'Toto Ugaritic Vai Vithkuqi Wancho Yezidi Yi').split(' '),
);

/** Go's unicode.CategoryAliases, by canonical name. */
const goCategoryAliases = new Map(
  Object.entries({
    Cased_Letter: 'LC', Close_Punctuation: 'Pe', Combining_Mark: 'M', Connector_Punctuation: 'Pc', Control: 'Cc', Currency_Symbol: 'Sc',
    Dash_Punctuation: 'Pd', Decimal_Number: 'Nd', Enclosing_Mark: 'Me', Final_Punctuation: 'Pf', Format: 'Cf', Initial_Punctuation: 'Pi',
    Letter: 'L', Letter_Number: 'Nl', Line_Separator: 'Zl', Lowercase_Letter: 'Ll', Mark: 'M', Math_Symbol: 'Sm', Modifier_Letter: 'Lm',
    Modifier_Symbol: 'Sk', Nonspacing_Mark: 'Mn', Number: 'N', Open_Punctuation: 'Ps', Other: 'C', Other_Letter: 'Lo', Other_Number: 'No',
    Other_Punctuation: 'Po', Other_Symbol: 'So', Paragraph_Separator: 'Zp', Private_Use: 'Co', Punctuation: 'P', Separator: 'Z',
    Space_Separator: 'Zs', Spacing_Mark: 'Mc', Surrogate: 'Cs', Symbol: 'S', Titlecase_Letter: 'Lt', Unassigned: 'Cn', Uppercase_Letter: 'Lu',
    cntrl: 'Cc', digit: 'Nd', punct: 'P',
  }).map(([alias, category]) => [canonicalName(alias), category]),
);

/** Go's lookup spelling of a class name: `_`, `-` and spaces dropped, the first letter upper case, the rest lower. */
function canonicalName(name: string): string {
  const letters = name.replace(/[_\- ]/g, '');
  return letters.slice(0, 1).replace(/[a-z]/, (c) => c.toUpperCase()) + letters.slice(1).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The JavaScript property for a Go Unicode class name, looked up as Go's unicodeTable does. */
function unicodeProperty(name: string): string | undefined {
  const canonical = canonicalName(name);
  const special: Record<string, string> = { Any: 'Any', Assigned: 'Assigned', Ascii: 'ASCII', Lc: 'General_Category=LC' };
  if (Object.hasOwn(special, canonical)) return special[canonical];
  if (goCategories.has(canonical)) return `General_Category=${canonical}`;
  if (goScripts.has(canonical)) return `Script=${canonical}`;
  const category = goCategoryAliases.get(canonical);
  return category && `General_Category=${category}`;
}
