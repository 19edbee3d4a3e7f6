import type { ImportProgress, ImportSummary, StackOutcome } from './service.js';

/** What the bar writes to: stderr, which is a terminal or not. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const barWidth = 24;

function describe(outcome: StackOutcome): string {
  switch (outcome.status) {
    case 'imported':
      return `imported ${outcome.stack} (${plural(outcome.versions, 'version')}${outcome.secrets > 0 ? `, ${plural(outcome.secrets, 'secret')} re-encrypted` : ''})`;
    case 'skipped':
      return `skipped ${outcome.stack}: ${outcome.reason}`;
    case 'failed':
      return `failed ${outcome.stack}: ${outcome.reason}`;
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * One line redrawn in place on a terminal (`[######------] 3/8 imported proj/dev`), with
 * failures printed above it so they stay on screen; one plain line per stack otherwise.
 */
export function progressBar(stream: ProgressStream): ImportProgress & { finish(): void } {
  let total = 0;
  let done = 0;
  const tty = stream.isTTY === true;
  const redraw = (text: string) => {
    const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${done}/${total} ${text}`;
    // Cut to the terminal's width, so the line never wraps and `\r` returns to its start.
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}`);
  };
  return {
    start(count) {
      total = count;
      if (tty) redraw('stacks');
      else stream.write(`importing ${plural(count, 'stack')}\n`);
    },
    stack(outcome) {
      done++;
      if (!tty) {
        stream.write(`[${done}/${total}] ${describe(outcome)}\n`);
        return;
      }
      if (outcome.status === 'failed') stream.write(`\r\x1b[2K${describe(outcome)}\n`);
      redraw(describe(outcome));
    },
    finish() {
      if (tty) stream.write('\n');
    },
  };
}

/** The closing line: `imported 2 stacks (7 versions), skipped 1, failed 0`. */
export function summaryLine(summary: ImportSummary): string {
  return `imported ${plural(summary.imported, 'stack')} (${plural(summary.versions, 'version')}), skipped ${summary.skipped}, failed ${summary.failed}`;
}
