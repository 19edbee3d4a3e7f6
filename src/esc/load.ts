import { parseEnvironment, type EnvironmentDecl } from './ast.js';
import { goSortSlice } from './go-sort.js';
import { compareUtf8 } from './schema.js';
import { DiagSeverity, decodeYaml, type Diagnostic } from './syntax.js';

export interface LoadedDefinition {
  env?: EnvironmentDecl;
  diags: Diagnostic[];
}

/**
 * Definitions recently parsed, by name and text, oldest first. A revision's text never changes,
 * and every open of an environment parses it and all its imports again: the YAML parse is most of
 * an open's cost. Evaluation never changes declarations, so callers share them (and must not
 * change them either).
 */
const parsedDefinitions = new Map<string, LoadedDefinition>();
/** Characters of source whose parses are kept. */
const parsedSourceLimit = 4_000_000;
let parsedSourceSize = 0;

/** Decodes and parses a definition; the declarations are absent when the YAML itself is broken. */
export function loadYaml(filename: string, source: string): LoadedDefinition {
  const cacheKey = `${filename}\u0000${source}`;
  let loaded = parsedDefinitions.get(cacheKey);
  if (loaded) {
    parsedDefinitions.delete(cacheKey);
  } else {
    loaded = parseDefinition(filename, source);
    parsedSourceSize += cacheKey.length;
  }
  parsedDefinitions.set(cacheKey, loaded);
  for (const [key] of parsedDefinitions) {
    if (parsedSourceSize <= parsedSourceLimit) break;
    parsedDefinitions.delete(key);
    parsedSourceSize -= key.length;
  }
  return { env: loaded.env, diags: [...loaded.diags] };
}

function parseDefinition(filename: string, source: string): LoadedDefinition {
  const decoded = decodeYaml(filename, source);
  if (decoded.diags.some((d) => d.severity === DiagSeverity.error)) return { diags: decoded.diags };
  const parsed = parseEnvironment(decoded.node);
  return { env: parsed.env, diags: [...decoded.diags, ...parsed.diags] };
}

/**
 * Orders diagnostics as ESC reports them: without a range first (by summary), then by file, line
 * and column. ESC's sort is not stable, so ties come out as Go's sort leaves them.
 */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const sorted = [...diags];
  goSortSlice(sorted, (a, b) => {
    if (!a.range) return b.range ? true : compareUtf8(a.summary, b.summary) < 0;
    if (!b.range) return false;
    if (a.range.filename !== b.range.filename) return compareUtf8(a.range.filename, b.range.filename) < 0;
    if (a.range.start.line !== b.range.start.line) return a.range.start.line < b.range.start.line;
    return a.range.start.column < b.range.start.column;
  });
  return sorted;
}
