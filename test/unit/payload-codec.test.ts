import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { Keyring } from '../../platform/keyring';
import { EncryptionCodec } from '../../platform/payload-codec';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

function codec(activeKeyId: string, keys: Record<string, Buffer>): EncryptionCodec {
  const keyring: Keyring = { activeKeyId, keys: new Map(Object.entries(keys)), blindIndexKey: randomBytes(32) };
  return new EncryptionCodec(keyring);
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const containsBytes = (haystack: Uint8Array | null | undefined, needle: string) => Buffer.from(haystack ?? new Uint8Array()).includes(Buffer.from(needle));

const request = {
  approvalId: 'apr_123',
  subject: { email: 'alice.wonderland@example.com', phone: '+44 20 7946 0958', name: 'Alice Wonderland' },
  notify: ['compliance@example.com'],
  at: '2024-02-29T12:00:00.000Z',
  amount: 1234.5,
};

describe('EncryptionCodec', () => {
  const c1 = codec('k1', { k1 });

  it('round-trips payloads made by the default payload converter', async () => {
    const values: unknown[] = [request, 'plain string', 42, null, [1, 'two', { three: 3 }], undefined, new Uint8Array([0, 1, 2, 255])];
    const payloads = values.map((value) => defaultPayloadConverter.toPayload(value));
    const encoded = await c1.encode(payloads);
    expect(encoded).toHaveLength(values.length);
    const decoded = await c1.decode(encoded);
    expect(decoded).toHaveLength(values.length);
    decoded.forEach((payload, i) => {
      expect(text(payload.metadata?.encoding)).toBe(text(payloads[i].metadata?.encoding));
      expect(Buffer.from(payload.data ?? new Uint8Array()).equals(Buffer.from(payloads[i].data ?? new Uint8Array()))).toBe(true);
      expect(defaultPayloadConverter.fromPayload(payload)).toEqual(values[i]);
    });
  });

  it('marks encoded payloads as encrypted with the key id, and hides the original metadata', async () => {
    const [encoded] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
    expect(text(encoded.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(encoded.metadata?.['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encoded.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(containsBytes(encoded.data, 'json/plain')).toBe(false);
  });

  it('leaves no plaintext in the encoded bytes', async () => {
    const [encoded] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
    for (const secret of ['alice.wonderland@example.com', 'alice', 'Wonderland', '7946', 'compliance@example.com', 'apr_123']) {
      expect(containsBytes(encoded.data, secret)).toBe(false);
    }
    for (const value of Object.values(encoded.metadata ?? {})) expect(containsBytes(value, 'alice')).toBe(false);
  });

  it('uses a fresh IV for every payload', async () => {
    const payload = defaultPayloadConverter.toPayload(request);
    const encoded = await c1.encode([payload, payload, payload]);
    const hex = encoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('hex'));
    expect(new Set(hex).size).toBe(3);
  });

  it('passes payloads that are not encrypted through decode unchanged', async () => {
    const plain = [defaultPayloadConverter.toPayload({ hello: 'world' }), defaultPayloadConverter.toPayload(null), { data: new Uint8Array([1, 2]) }, {} as Payload];
    const decoded = await c1.decode(plain);
    expect(decoded).toHaveLength(plain.length);
    decoded.forEach((payload, i) => expect(payload).toBe(plain[i]));
  });

  it('decodes a mix of encrypted and plain payloads', async () => {
    const plain = defaultPayloadConverter.toPayload('left alone');
    const [encrypted] = await c1.encode([defaultPayloadConverter.toPayload('secret')]);
    const [a, b] = await c1.decode([plain, encrypted]);
    expect(a).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(b)).toBe('secret');
  });

  it('refuses a tampered payload', async () => {
    const [encoded] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
    for (const index of [0, 20, (encoded.data?.length ?? 0) - 1]) {
      const data = Buffer.from(encoded.data ?? new Uint8Array());
      data[index] ^= 0x01;
      await expect(c1.decode([{ ...encoded, data }])).rejects.toThrow(/does not decrypt/);
    }
  });

  it('refuses a payload too short to hold an IV and a whole tag', async () => {
    const [encoded] = await c1.encode([defaultPayloadConverter.toPayload('')]);
    const data = Buffer.from(encoded.data ?? new Uint8Array()).subarray(0, 12 + 4);
    await expect(c1.decode([{ ...encoded, data }])).rejects.toThrow(/too short/);
  });

  describe('key rotation', () => {
    it('encodes with the active key and still decodes payloads written with an older one', async () => {
      const [old] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
      const rotated = codec('k2', { k1, k2 });
      const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('new data')]);
      expect(text(fresh.metadata?.['encryption-key-id'])).toBe('k2');
      const [oldDecoded, freshDecoded] = await rotated.decode([old, fresh]);
      expect(defaultPayloadConverter.fromPayload(oldDecoded)).toEqual(request);
      expect(defaultPayloadConverter.fromPayload(freshDecoded)).toBe('new data');
    });

    it('gives a clear error for an unknown key id', async () => {
      const [old] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
      await expect(codec('k2', { k2 }).decode([old])).rejects.toThrow('payload encryption key "k1" is not configured');
    });

    it('gives a clear error when the active key is not configured', async () => {
      await expect(codec('k3', { k1 }).encode([defaultPayloadConverter.toPayload('x')])).rejects.toThrow('payload encryption key "k3" is not configured');
    });

    it('does not decode with a different key under the same id', async () => {
      const [old] = await c1.encode([defaultPayloadConverter.toPayload(request)]);
      await expect(codec('k1', { k1: k2 }).decode([old])).rejects.toThrow(/does not decrypt/);
    });
  });
});
