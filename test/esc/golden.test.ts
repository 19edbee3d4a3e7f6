// Pulumi ESC's own evaluator cases (../shared/esc-testdata, see its NOTICE), read in place.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadYaml, sortDiagnostics } from '../../src/esc/load.js';
import type { Diagnostic } from '../../src/esc/syntax.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/esc-testdata/eval');
const present = fs.existsSync(root);
if (!present) process.stderr.write(`\n!!! ESC golden cases not found at ${root}: the golden tests are skipped\n\n`);
const cases = present ? fs.readdirSync(root).filter((name) => name !== 'bench').sort() : [];

interface GoDiagnostic {
  Severity: number;
  Summary: string;
  Subject: { Filename: string; Start: { Line: number; Column: number; Byte: number }; End: { Line: number; Column: number; Byte: number } } | null;
  Path: string;
}

/** Our diagnostic in the JSON shape of Go's hcl.Diagnostic, the fields the cases pin down. */
const asGo = (d: Diagnostic) => ({
  Severity: d.severity,
  Summary: d.summary,
  Subject: d.range
    ? {
        Filename: d.range.filename,
        Start: { Line: d.range.start.line, Column: d.range.start.column, Byte: d.range.start.byte },
        End: { Line: d.range.end.line, Column: d.range.end.column, Byte: d.range.end.byte },
      }
    : null,
  Path: d.path,
});
const expectedDiags = (diags: GoDiagnostic[] | undefined) =>
  (diags ?? []).map((d) => ({ Severity: d.Severity, Summary: d.Summary, Subject: d.Subject && { Filename: d.Subject.Filename, Start: d.Subject.Start, End: d.Subject.End }, Path: d.Path }));

describe('ESC golden cases: loading', { skip: !present && 'esc-testdata is absent' }, () => {
  for (const name of cases) {
    it(name, () => {
      const dir = path.join(root, name);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { loadDiags?: GoDiagnostic[] };
      const overridesFile = path.join(dir, 'overrides.json');
      const overrides = fs.existsSync(overridesFile) ? (JSON.parse(fs.readFileSync(overridesFile, 'utf8')) as { rootEnvironment?: string }) : {};
      const { diags } = loadYaml(overrides.rootEnvironment ?? name, fs.readFileSync(path.join(dir, 'env.yaml'), 'utf8'));
      assert.deepEqual(sortDiagnostics(diags).map(asGo), expectedDiags(expected.loadDiags));
    });
  }
});
