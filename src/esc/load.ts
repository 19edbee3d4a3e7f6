import { parseEnvironment, type EnvironmentDecl } from './ast.js';
import { DiagSeverity, decodeYaml, type Diagnostic } from './syntax.js';

/** Decodes and parses a definition; the declarations are absent when the YAML itself is broken. */
export function loadYaml(filename: string, source: string): { env?: EnvironmentDecl; diags: Diagnostic[] } {
  const decoded = decodeYaml(filename, source);
  if (decoded.diags.some((d) => d.severity === DiagSeverity.error)) return { diags: decoded.diags };
  const parsed = parseEnvironment(decoded.node);
  return { env: parsed.env, diags: [...decoded.diags, ...parsed.diags] };
}

/** Orders diagnostics as ESC reports them: without a range first (by summary), then by file, line and column. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    if (!a.range || !b.range) return !a.range && !b.range ? compare(a.summary, b.summary) : a.range ? 1 : -1;
    return compare(a.range.filename, b.range.filename) || a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column;
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
