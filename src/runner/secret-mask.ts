const mask = '[secret]';

/**
 * Replaces every secret in a log line. A secret of several lines (an SSH key) is also masked line
 * by line, since output reaches the log one line at a time; a secret that may have gone into a
 * URL is masked in its percent-encoded form too. Longest first, so a secret that contains another
 * is masked whole.
 */
export function secretMasker(secrets: string[]): (line: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\r?\n/)]) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      forms.add(trimmed);
      forms.add(encodeURIComponent(trimmed));
    }
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (line) => ordered.reduce((masked, secret) => masked.replaceAll(secret, mask), line);
}
