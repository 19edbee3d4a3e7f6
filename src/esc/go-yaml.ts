// fn::toYAML's text, in the layout of Go's yaml.v3 Marshal: four-space indentation, keys sorted.
import YAML from 'yaml';
import { EscNumber } from './schema.js';

/** Numbers become YAML numbers (yaml.v3 writes a json.Number as the number it parses to). */
function plain(value: unknown): unknown {
  if (value instanceof EscNumber) return value.toNumber();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}

export function goYamlMarshal(value: unknown): string {
  return YAML.stringify(plain(value), { indent: 4, sortMapEntries: true, lineWidth: 0 });
}
