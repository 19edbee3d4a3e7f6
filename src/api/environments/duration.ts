import { ApiError } from '../../errors.js';

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** One `<number><unit>` at a time, from where the last one ended (sticky): linear in the text. */
const part = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds of a Go duration string (`2h0m0s`, `1.5h`, `300ms`), as the clients send `duration`. */
export function parseGoDuration(text: string): number {
  const refuse = () => new ApiError('bad_request', `duration '${text.slice(0, 100)}' is not a duration such as '2h0m0s'`);
  if (text.length === 0 || text.length > 100) throw refuse();
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (!match) throw refuse();
    total += Number(match[1]) * unitMs[match[2]!]!;
  }
  return Math.round(total);
}
