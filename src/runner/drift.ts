/**
 * The top-level `changeSummary` of `pulumi refresh --preview-only --json` (`{"same": 3, "update": 1}`),
 * or undefined when the output holds none.
 */
export function readChangeSummary(stdout: string): Record<string, number> | undefined {
  let output: unknown;
  try {
    output = JSON.parse(stdout);
  } catch {
    // Something printed before the JSON document: it starts at the first line that opens one.
    const start = stdout.search(/^\{/m);
    if (start < 0) return undefined;
    try {
      output = JSON.parse(stdout.slice(start));
    } catch {
      return undefined;
    }
  }
  const summary = (output as { changeSummary?: unknown } | null)?.changeSummary;
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) return undefined;
  return Object.fromEntries(Object.entries(summary).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/** Drift is any resource the refresh would change: a count other than `same` above zero. */
export function driftIn(summary: Record<string, number>): boolean {
  return Object.entries(summary).some(([kind, count]) => kind !== 'same' && count > 0);
}

/** `2 to update, 1 unchanged`, for the log. */
export function describeChangeSummary(summary: Record<string, number>): string {
  const parts = Object.entries(summary)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => (kind === 'same' ? `${count} unchanged` : `${count} to ${kind}`));
  return parts.join(', ') || 'no resources';
}
