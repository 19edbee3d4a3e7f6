// "Did you mean" suggestions for unknown property names, as ESC makes them.

/** Case and underscores do not count as typos. */
const fold = (s: string) => s.replaceAll('_', '').toLowerCase();

/** Levenshtein distance over UTF-8 bytes; may stop early with any value above `max`. */
function levenshtein(a: Buffer, b: Buffer, max?: number): number {
  let [x, y] = a.length > b.length ? [b, a] : [a, b];
  let common = 0;
  while (common < x.length && x[common] === y[common]) common++;
  if (common < x.length) [x, y] = [x.subarray(common), y.subarray(common)];
  else if (common === x.length && x.length > 0 && common < y.length) return y.length - common;
  if (x.length === 0) return y.length;
  if (max !== undefined && Math.abs(x.length - y.length) > max) return Math.abs(x.length - y.length);
  const row = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    row[0] = i;
    let best = i;
    let previous = i - 1;
    for (let j = 1; j <= y.length; j++) {
      const distance = Math.min(previous + (x[i - 1] !== y[j - 1] ? 1 : 0), 1 + row[j - 1]!, 1 + row[j]!);
      previous = row[j]!;
      row[j] = distance;
      best = Math.min(best, distance);
    }
    if (max !== undefined && best > max) return best;
  }
  return row[y.length]!;
}

/** The candidate nearest to `word`, allowing up to half of it mistyped; '' when none is close. */
export function nearest(word: string, candidates: Iterable<string>): string {
  const target = Buffer.from(fold(word));
  let best = '';
  let bestDistance = Math.floor((target.length + 1) / 2);
  for (const candidate of candidates) {
    const distance = levenshtein(target, Buffer.from(fold(candidate)), bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}
