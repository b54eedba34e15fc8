import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring';

/**
 * Field-level encryption for PII at rest: AES-256-GCM with a fresh IV per value. The ciphertext names its key id so
 * keys can rotate (new data uses the active key; old data stays readable while its key is configured), and the
 * field's context (collection.field) is authenticated, so a ciphertext copied into another field does not decrypt.
 *
 * Format: `enc:v1:<keyId>:<iv b64url>:<ciphertext+tag b64url>`.
 */
const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class FieldCrypto {
  constructor(private readonly keyring: Keyring) {}

  encrypt(plaintext: string, context: string): string {
    const keyId = this.keyring.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${keyId}:${iv.toString('base64url')}:${ciphertext.toString('base64url')}`;
  }

  decrypt(value: string, context: string): string {
    if (!value.startsWith(PREFIX)) throw new Error('not an encrypted field value');
    const parts = value.slice(PREFIX.length).split(':');
    if (parts.length !== 3) throw new Error('malformed encrypted field value');
    const [keyId, ivText, bodyText] = parts;
    const key = this.key(keyId);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    // The tag must be whole: GCM would otherwise accept a tag cut down to 4 bytes, which is forgeable by brute force.
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('malformed encrypted field value');
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`encrypted field value does not decrypt for context ${JSON.stringify(context)}: altered, or copied from another field`);
    }
  }

  /**
   * A keyed hash for exact-match lookups on an encrypted field (e.g. find a subject by e-mail) without storing the
   * plaintext. The scope keeps equal values in different fields from producing equal indexes.
   */
  blindIndex(normalisedValue: string, scope: string): string {
    return createHmac('sha256', this.keyring.blindIndexKey).update(`${scope}\u0000${normalisedValue}`).digest('hex');
  }

  private key(keyId: string | undefined): Buffer {
    const key = keyId === undefined ? undefined : this.keyring.keys.get(keyId);
    if (!key) throw new Error(`encryption key ${JSON.stringify(keyId)} is not configured`);
    return key;
  }
}
