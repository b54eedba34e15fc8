import vm from 'node:vm';
import { canonicalJson, type Canonicalisable } from '../../domain/canonical-json';

describe('canonicalJson', () => {
  it('renders scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson(-12.5)).toBe('-12.5');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson('a "quoted" \\ line\n')).toBe('"a \\"quoted\\" \\\\ line\\n"');
  });

  it('does not depend on the order keys were added in', () => {
    const a = { b: 1, a: 2, c: { z: true, y: [1, 2] } };
    const b = { c: { y: [1, 2], z: true }, a: 2, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":2,"b":1,"c":{"y":[1,2],"z":true}}');
  });

  it('sorts keys in nested objects, including objects inside arrays, and keeps array order', () => {
    const value = { outer: [{ b: 1, a: 2 }, { d: [{ y: 1, x: 2 }], c: null }], first: {} };
    expect(canonicalJson(value)).toBe('{"first":{},"outer":[{"a":2,"b":1},{"c":null,"d":[{"x":2,"y":1}]}]}');
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([3, 1, 2])).not.toBe(canonicalJson([1, 2, 3]));
  });

  it('has no whitespace', () => {
    expect(canonicalJson({ a: [1, { b: 'x y' }] })).toBe('{"a":[1,{"b":"x y"}]}');
  });

  it('renders dates as ISO strings, at the top level and nested', () => {
    const at = new Date(Date.UTC(2024, 1, 29, 13, 45, 6, 789));
    expect(canonicalJson(at)).toBe('"2024-02-29T13:45:06.789Z"');
    expect(canonicalJson({ at, list: [at] })).toBe('{"at":"2024-02-29T13:45:06.789Z","list":["2024-02-29T13:45:06.789Z"]}');
    // A date and its ISO string are the same canonical value: what the database gives back as text hashes the same.
    expect(canonicalJson({ at })).toBe(canonicalJson({ at: at.toISOString() }));
  });

  it('skips object members that are undefined', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: { d: undefined } })).toBe('{"a":1,"c":{}}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('rejects NaN and the infinities, wherever they are', () => {
    expect(() => canonicalJson(NaN)).toThrow(/NaN or Infinity/);
    expect(() => canonicalJson(Infinity)).toThrow(TypeError);
    expect(() => canonicalJson(-Infinity)).toThrow(TypeError);
    expect(() => canonicalJson({ a: { b: [1, NaN] } })).toThrow(/\$\.a\.b\[1\]/);
  });

  it('rejects values JSON cannot hold faithfully instead of changing them', () => {
    expect(() => canonicalJson(new Date('not a date'))).toThrow(/invalid date/);
    expect(() => canonicalJson([1, undefined] as unknown as Canonicalisable)).toThrow(/undefined array items/);
    expect(() => canonicalJson({ m: new Map([['a', 1]]) } as unknown as Canonicalisable)).toThrow(/Map/);
    expect(() => canonicalJson({ b: Buffer.from('x') } as unknown as Canonicalisable)).toThrow(/Buffer/);
    expect(() => canonicalJson({ n: BigInt(1) } as unknown as Canonicalisable)).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 } as unknown as Canonicalisable)).toThrow(/function/);
    class Point {
      constructor(readonly x: number) {}
    }
    expect(() => canonicalJson({ p: new Point(1) } as unknown as Canonicalisable)).toThrow(/Point/);
  });

  it('treats dates and plain objects made in another realm (a vm context, a sandbox) like local ones', () => {
    const foreign = vm.runInNewContext('({ at: new Date(Date.UTC(2024, 0, 1)), nested: { b: 2, a: [1] } })') as Record<string, Canonicalisable>;
    expect(foreign.at instanceof Date).toBe(false);
    expect(canonicalJson(foreign)).toBe('{"at":"2024-01-01T00:00:00.000Z","nested":{"a":[1],"b":2}}');
    expect(canonicalJson(foreign)).toBe(canonicalJson({ at: new Date(Date.UTC(2024, 0, 1)), nested: { a: [1], b: 2 } }));
    expect(() => canonicalJson(vm.runInNewContext('new Map()') as Canonicalisable)).toThrow(/Map/);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, Canonicalisable>;
    bare.b = 1;
    bare.a = 'x';
    expect(canonicalJson(bare)).toBe('{"a":"x","b":1}');
  });

  it('handles unicode in values and keys deterministically', () => {
    const value = { 'ключ': 'значение', emoji: '👩‍⚖️ ok', 'é': 'café', '中': '文字' };
    const text = canonicalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toBe('{"emoji":"👩‍⚖️ ok","é":"café","ключ":"значение","中":"文字"}');
    // Different code points stay different: precomposed é (U+00E9) vs e + combining acute (U+0065 U+0301).
    expect(canonicalJson('\u00e9')).not.toBe(canonicalJson('e\u0301'));
    // Lone surrogates are escaped, so the output is always well-formed UTF-8 when encoded.
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('escapes keys', () => {
    expect(canonicalJson({ 'a"b': 1, 'line\nbreak': 2 })).toBe('{"a\\"b":1,"line\\nbreak":2}');
  });

  it('distinguishes values that only look alike', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson([])).not.toBe(canonicalJson({}));
  });
});
