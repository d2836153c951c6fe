/**
 * Canonical JSON: the one byte string a value hashes and signs as. Object keys sorted by UTF-16 code units,
 * no whitespace, numbers and strings as JSON.stringify writes them (the ECMAScript forms RFC 8785 also uses).
 * Refuses what JSON cannot carry faithfully: NaN, infinities, undefined inside arrays, functions, symbols,
 * bigints, and objects other than plain objects and arrays.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${value}, not a finite number`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? writeArray(value, path) : writeObject(value as Record<string, unknown>, path);
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}`);
  }
}

function writeArray(items: unknown[], path: string): string {
  return `[${items.map((v, k) => {
    if (v === undefined) throw new TypeError(`canonical JSON: ${path}[${k}] is undefined`);
    return write(v, `${path}[${k}]`);
  }).join(',')}]`;
}

function writeObject(obj: Record<string, unknown>, path: string): string {
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonical JSON: ${path} is a ${proto?.constructor?.name ?? 'non-plain object'}, not a plain object`);
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(obj[k], `${path}.${k}`)}`).join(',')}}`;
}
