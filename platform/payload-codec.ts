import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Keyring } from './keyring';

const ENCODING = 'binary/encrypted';
const METADATA_ENCODING_KEY = 'encoding';
const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts every workflow/activity payload before it leaves the process, so Temporal's history and visibility store
 * hold no plaintext PII. Search attributes are not payloads of this kind: they are never encrypted, so nothing
 * personal may go into them (nor into workflow ids).
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.key(keyId);
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
          [METADATA_KEY_ID]: Buffer.from(keyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      const key = this.key(keyIdBytes ? Buffer.from(keyIdBytes).toString() : undefined);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      // A whole IV and tag must be there: GCM would otherwise accept a tag cut down to a few bytes.
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is too short to be valid');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error('encrypted payload does not decrypt: it was altered or encrypted with another key of the same id');
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }

  private key(keyId: string | undefined): Buffer {
    const key = keyId === undefined ? undefined : this.keyring.keys.get(keyId);
    if (!key) throw new Error(`payload encryption key ${JSON.stringify(keyId)} is not configured`);
    return key;
  }
}
