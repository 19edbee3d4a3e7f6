// Property paths as Pulumi parses and prints them (`a.b[0]["c d"]`): how the service names the
// rotators to invoke.

export type PropertyPath = Array<string | number>;

/** Parses a path loosely, as Pulumi's ParsePropertyPath does: a bare name runs to the next '.' or '['. */
export function parsePropertyPath(text: string): PropertyPath {
  const elements: PropertyPath = [];
  if (text.startsWith('.')) throw new Error('expected property path to start with a name or index');
  let rest = text;
  while (rest.length > 0) {
    if (rest[0] === '.') {
      rest = rest.slice(1);
      if (rest.length === 0) throw new Error('expected property path to end with a name or index');
    } else if (rest[0] === '[') {
      if (rest[1] === '"') {
        let key = '';
        let i = 2;
        for (;;) {
          if (i >= rest.length) throw new Error('missing closing quote in property name');
          if (rest[i] === '"') {
            i++;
            break;
          }
          if (rest[i] === '\\' && rest[i + 1] === '"') {
            key += '"';
            i += 2;
          } else key += rest[i++];
        }
        if (rest[i] !== ']') throw new Error('missing closing bracket in property access');
        elements.push(key);
        rest = rest.slice(i + 1);
      } else {
        const close = rest.indexOf(']');
        if (close < 0) throw new Error('missing closing bracket in array index');
        const segment = rest.slice(1, close);
        if (segment === '*') elements.push('*');
        else if (/^[+-]?\d+$/.test(segment)) elements.push(Number(segment));
        else throw new Error(`invalid array index: strconv.ParseInt: parsing ${JSON.stringify(segment)}: invalid syntax`);
        rest = rest.slice(close + 1);
      }
    } else {
      const end = rest.search(/[.[]/);
      const name = end < 0 ? rest : rest.slice(0, end);
      elements.push(name);
      rest = end < 0 ? '' : rest.slice(end);
    }
  }
  return elements;
}

const requiresQuote = (c: string) => !/[A-Za-z0-9_]/.test(c);

/** Prints a path as Pulumi does: names with anything but letters, digits and '_' in brackets. */
export function formatPropertyPath(path: PropertyPath): string {
  return path
    .map((element, index) => {
      if (typeof element === 'number') return `[${element}]`;
      const quoted = [...element].some(requiresQuote);
      if (quoted) return `["${element.replaceAll('"', '\\"')}"]`;
      return index === 0 ? element : `.${element}`;
    })
    .join('');
}
