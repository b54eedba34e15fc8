/**
 * A canonical JSON serialisation (object keys sorted, no whitespace, dates as ISO strings), so that the same event
 * always hashes to the same bytes whichever process wrote it and whatever order its fields were built in.
 * Values must be JSON-like: strings, finite numbers, booleans, null, arrays, plain objects and Dates. Object members
 * whose value is undefined are left out (as JSON.stringify does); anything else that JSON cannot hold faithfully
 * (NaN, Infinity, undefined array items, invalid dates, Maps, class instances, functions, bigints...) is refused
 * rather than silently changed, because a hash over a lossy rendering would not cover what was recorded.
 */
export type Canonicalisable = string | number | boolean | null | Date | Canonicalisable[] | { [key: string]: Canonicalisable | undefined };

export function canonicalJson(value: Canonicalisable): string {
  return render(value, '$');
}

function render(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold NaN or Infinity (at ${path})`);
    return JSON.stringify(value);
  }
  if (isDate(value)) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`canonical JSON cannot hold an invalid date (at ${path})`);
    return JSON.stringify(value.toISOString());
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item, index) => {
        if (item === undefined) throw new TypeError(`canonical JSON cannot hold undefined array items (at ${path}[${index}])`);
        return render(item, `${path}[${index}]`);
      })
      .join(',')}]`;
  }
  if (!isPlainObject(value)) {
    const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
    throw new TypeError(`canonical JSON cannot hold a value of type ${kind} (at ${path})`);
  }
  const entries = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${render(value[key], `${path}.${key}`)}`);
  return `{${entries.join(',')}}`;
}

/** Works across realms (vm contexts, jest sandboxes), where `instanceof Date` would not. */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** An object literal (of any realm) or an Object.create(null) object: not a Map, Buffer, ObjectId or class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
