import { randomBytes } from 'node:crypto';
import { FieldCrypto } from '../../platform/field-crypto';
import type { Keyring } from '../../platform/keyring';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const blind = randomBytes(32);

function keyring(activeKeyId: string, keys: Record<string, Buffer>, blindIndexKey = blind): Keyring {
  return { activeKeyId, keys: new Map(Object.entries(keys)), blindIndexKey };
}

const CONTEXT = 'principals.email';

/** Flips one bit in the base64url segment `index` (0 = key id, 1 = iv, 2 = ciphertext+tag) of an encrypted value. */
function tamper(value: string, segment: 1 | 2, byte: number): string {
  const parts = value.split(':');
  const target = 2 + segment; // 'enc', 'v1', keyId, iv, body
  const bytes = Buffer.from(parts[target], 'base64url');
  bytes[byte] ^= 0x01;
  parts[target] = bytes.toString('base64url');
  return parts.join(':');
}

describe('FieldCrypto', () => {
  const crypto = new FieldCrypto(keyring('k1', { k1 }));

  it('round-trips text, including unicode and the empty string', () => {
    for (const plaintext of ['alice@example.com', '+44 20 7946 0958', 'Zoë Ünal — 張偉 👩‍⚖️', '', 'x'.repeat(10_000)]) {
      const encrypted = crypto.encrypt(plaintext, CONTEXT);
      expect(crypto.decrypt(encrypted, CONTEXT)).toBe(plaintext);
    }
  });

  it('names the format version and the key id in the value', () => {
    expect(crypto.encrypt('alice@example.com', CONTEXT)).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
  });

  it('uses a fresh IV, so the same plaintext encrypts differently every time', () => {
    const values = Array.from({ length: 20 }, () => crypto.encrypt('alice@example.com', CONTEXT));
    expect(new Set(values).size).toBe(20);
    expect(new Set(values.map((v) => v.split(':')[3])).size).toBe(20);
    for (const value of values) expect(crypto.decrypt(value, CONTEXT)).toBe('alice@example.com');
  });

  it('does not contain the plaintext in any form', () => {
    const plaintext = 'alice.wonderland@example.com';
    const encrypted = crypto.encrypt(plaintext, CONTEXT);
    expect(encrypted).not.toContain(plaintext);
    expect(encrypted).not.toContain('alice');
    expect(encrypted).not.toContain(Buffer.from(plaintext).toString('base64url'));
    expect(encrypted).not.toContain(Buffer.from(plaintext).toString('hex'));
    const body = Buffer.from(encrypted.split(':')[4], 'base64url');
    expect(body.includes(Buffer.from(plaintext))).toBe(false);
    expect(body.length).toBe(Buffer.byteLength(plaintext) + 16); // ciphertext + GCM tag
  });

  it('refuses to decrypt in another context (a value copied into another field)', () => {
    const encrypted = crypto.encrypt('alice@example.com', 'principals.email');
    expect(() => crypto.decrypt(encrypted, 'principals.phone')).toThrow(/does not decrypt for context "principals.phone"/);
    expect(() => crypto.decrypt(encrypted, '')).toThrow(/does not decrypt/);
  });

  it('refuses a tampered ciphertext, IV or tag', () => {
    const encrypted = crypto.encrypt('alice@example.com', CONTEXT);
    const body = Buffer.from(encrypted.split(':')[4], 'base64url');
    expect(() => crypto.decrypt(tamper(encrypted, 2, 0), CONTEXT)).toThrow(/does not decrypt/); // ciphertext
    expect(() => crypto.decrypt(tamper(encrypted, 2, body.length - 1), CONTEXT)).toThrow(/does not decrypt/); // tag
    expect(() => crypto.decrypt(tamper(encrypted, 1, 5), CONTEXT)).toThrow(/does not decrypt/); // iv
  });

  it('refuses a truncated tag instead of checking only what is left of it', () => {
    const encrypted = crypto.encrypt('', CONTEXT); // the body is the 16-byte tag alone
    const parts = encrypted.split(':');
    parts[4] = Buffer.from(parts[4], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => crypto.decrypt(parts.join(':'), CONTEXT)).toThrow(/malformed/);
  });

  it.each([
    ['no prefix', 'alice@example.com', /not an encrypted field value/],
    ['another version', 'enc:v2:k1:aaaa:bbbb', /not an encrypted field value/],
    ['missing parts', 'enc:v1:k1:aaaa', /malformed/],
    ['extra parts', 'enc:v1:k1:aaaa:bbbb:cccc', /malformed/],
    ['a short IV', `enc:v1:k1:${randomBytes(8).toString('base64url')}:${randomBytes(32).toString('base64url')}`, /malformed/],
  ])('refuses a malformed value (%s)', (_what, value, message) => {
    expect(() => crypto.decrypt(value, CONTEXT)).toThrow(message);
  });

  describe('key rotation', () => {
    it('encrypts new data with the active key and still decrypts data written with an older one', () => {
      const before = new FieldCrypto(keyring('k1', { k1 }));
      const old = before.encrypt('alice@example.com', CONTEXT);
      expect(old.startsWith('enc:v1:k1:')).toBe(true);

      const after = new FieldCrypto(keyring('k2', { k1, k2 }));
      const fresh = after.encrypt('bob@example.com', CONTEXT);
      expect(fresh.startsWith('enc:v1:k2:')).toBe(true);
      expect(after.decrypt(old, CONTEXT)).toBe('alice@example.com');
      expect(after.decrypt(fresh, CONTEXT)).toBe('bob@example.com');
      // The old keyring cannot read what the new key wrote.
      expect(() => before.decrypt(fresh, CONTEXT)).toThrow('encryption key "k2" is not configured');
    });

    it('gives a clear error for an unknown key id', () => {
      const old = new FieldCrypto(keyring('k1', { k1 })).encrypt('alice@example.com', CONTEXT);
      const retired = new FieldCrypto(keyring('k2', { k2 }));
      expect(() => retired.decrypt(old, CONTEXT)).toThrow('encryption key "k1" is not configured');
    });

    it('does not decrypt with a different key that reuses the id', () => {
      const old = new FieldCrypto(keyring('k1', { k1 })).encrypt('alice@example.com', CONTEXT);
      const impostor = new FieldCrypto(keyring('k1', { k1: k2 }));
      expect(() => impostor.decrypt(old, CONTEXT)).toThrow(/does not decrypt/);
    });

    it('refuses to encrypt when the active key id is not configured', () => {
      const broken = new FieldCrypto(keyring('k3', { k1 }));
      expect(() => broken.encrypt('x', CONTEXT)).toThrow('encryption key "k3" is not configured');
    });
  });

  describe('blind index', () => {
    it('is deterministic and independent of the encryption key', () => {
      const a = new FieldCrypto(keyring('k1', { k1 }));
      const b = new FieldCrypto(keyring('k2', { k1, k2 }));
      const index = a.blindIndex('alice@example.com', 'principals.email');
      expect(index).toMatch(/^[0-9a-f]{64}$/);
      expect(a.blindIndex('alice@example.com', 'principals.email')).toBe(index);
      expect(b.blindIndex('alice@example.com', 'principals.email')).toBe(index);
    });

    it('differs between values', () => {
      expect(crypto.blindIndex('alice@example.com', 'principals.email')).not.toBe(crypto.blindIndex('alice@example.org', 'principals.email'));
    });

    it('is scoped: the same value in different fields gives different indexes', () => {
      expect(crypto.blindIndex('+4420794609', 'principals.phone')).not.toBe(crypto.blindIndex('+4420794609', 'subjects.phone'));
    });

    it('differs by blind-index key', () => {
      const other = new FieldCrypto(keyring('k1', { k1 }, randomBytes(32)));
      expect(other.blindIndex('alice@example.com', 'principals.email')).not.toBe(crypto.blindIndex('alice@example.com', 'principals.email'));
    });

    it('does not contain the value', () => {
      const index = crypto.blindIndex('alice@example.com', 'principals.email');
      expect(index).not.toContain('alice');
      expect(index).not.toContain(Buffer.from('alice@example.com').toString('hex'));
    });
  });
});
