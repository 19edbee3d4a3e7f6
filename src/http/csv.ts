/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** One CSV row. Rows end in LF, as Go's encoding/csv writes Pulumi's exports; RFC 4180 readers accept it. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}
