// Diagnostics in the JSON shape of Go's hcl.Diagnostic, as ESC's golden files hold them.
import type { Diagnostic } from '../../../src/esc/syntax.js';

interface GoPos {
  Line: number;
  Column: number;
  Byte: number;
}

export interface GoDiagnostic {
  Severity: number;
  Summary: string;
  Subject: { Filename: string; Start: GoPos; End: GoPos } | null;
  Path: string;
}

/** Ours, as Go would print it: the fields the golden cases pin down. */
export const asGoDiagnostic = (d: Diagnostic) => ({
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

export const expectedDiagnostics = (diags: GoDiagnostic[] | undefined | null) =>
  (diags ?? []).map((d) => ({
    Severity: d.Severity,
    Summary: d.Summary,
    Subject: d.Subject && { Filename: d.Subject.Filename, Start: d.Subject.Start, End: d.Subject.End },
    Path: d.Path,
  }));
