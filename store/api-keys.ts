import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';

/**
 * API keys: `cfk_<keyId>_<secret>`. Only a SHA-256 of the secret is stored — the secret is 256 random bits, so a
 * plain hash is as strong as a slow one here — and the whole key is shown once, at creation.
 */
export interface ApiKey {
  keyId: string;
  principalId: string;
  label: string;
  createdAt: Date;
  createdBy: string;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

interface StoredApiKey extends Omit<ApiKey, 'keyId'> {
  _id: string;
  secretHash: string;
}

const TOKEN = /^cfk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export class ApiKeyStore {
  private readonly keys: Collection<StoredApiKey>;

  private readonly usage: Collection<{ _id: string; lastUsedAt: Date }>;

  constructor(db: Db) {
    this.keys = db.collection<StoredApiKey>('api_keys');
    this.usage = db.collection<{ _id: string; lastUsedAt: Date }>('api_key_usage');
  }

  async ensureIndexes(): Promise<void> {
    await this.keys.createIndex({ principalId: 1 }, { name: 'principal' });
  }

  /** Creates a key and returns its token: the only time the token exists outside the caller's hands. */
  async create(input: { principalId: string; label: string; createdBy: string; expiresAt?: Date }): Promise<{ key: ApiKey; token: string }> {
    const keyId = randomBytes(12).toString('base64url').replace(/[-_]/g, '').padEnd(16, '0').slice(0, 16);
    const secret = randomBytes(32).toString('base64url');
    const doc: StoredApiKey = {
      _id: keyId,
      principalId: input.principalId,
      label: input.label,
      createdAt: new Date(),
      createdBy: input.createdBy,
      secretHash: hashSecret(secret),
      ...(input.expiresAt && { expiresAt: input.expiresAt }),
    };
    await this.keys.insertOne(doc);
    return { key: toKey(doc), token: `cfk_${keyId}_${secret}` };
  }

  /** The key a token names, if the token is well-formed, matches, is not revoked and has not expired. */
  async verify(token: string, now = new Date()): Promise<ApiKey | undefined> {
    const match = TOKEN.exec(token);
    if (!match) return undefined;
    const doc = await this.keys.findOne({ _id: match[1] });
    if (!doc) return undefined;
    const expected = Buffer.from(doc.secretHash, 'hex');
    const given = Buffer.from(hashSecret(match[2]), 'hex');
    if (!timingSafeEqual(expected, given)) return undefined;
    if (doc.revokedAt || (doc.expiresAt && doc.expiresAt <= now)) return undefined;
    return toKey(doc);
  }

  async touch(keyId: string, at = new Date()): Promise<void> {
    await this.usage.updateOne({ _id: keyId }, { $set: { lastUsedAt: at } }, { upsert: true });
  }

  async get(keyId: string): Promise<ApiKey | undefined> {
    const doc = await this.keys.findOne({ _id: keyId });
    return doc ? this.withUse(toKey(doc)) : undefined;
  }

  async listFor(principalId: string): Promise<ApiKey[]> {
    const docs = await this.keys.find({ principalId }).sort({ createdAt: 1 }).toArray();
    return Promise.all(docs.map((doc) => this.withUse(toKey(doc))));
  }

  private async withUse(key: ApiKey): Promise<ApiKey> {
    const use = await this.usage.findOne({ _id: key.keyId });
    return use ? { ...key, lastUsedAt: use.lastUsedAt } : key;
  }

  /**
   * Every key in id order after `afterId`, with its last use (for access audits and reviews); secrets' hashes are
   * left out. The uses are read first, one small document per key ever used.
   */
  async *scan(afterId?: string): AsyncGenerator<ApiKey> {
    const used = new Map<string, Date>();
    for await (const use of this.usage.find({})) used.set(use._id, use.lastUsedAt);
    const cursor = this.keys.find(afterId ? { _id: { $gt: afterId } } : {}, { projection: { secretHash: 0 } }).sort({ _id: 1 });
    for await (const doc of cursor) {
      const key = toKey({ ...doc, secretHash: '' });
      const lastUsedAt = used.get(key.keyId);
      yield lastUsedAt ? { ...key, lastUsedAt } : key;
    }
  }

  async revoke(keyId: string, at = new Date()): Promise<ApiKey | undefined> {
    const doc = await this.keys.findOneAndUpdate({ _id: keyId, revokedAt: { $exists: false } }, { $set: { revokedAt: at } }, { returnDocument: 'after' });
    return doc ? toKey(doc) : undefined;
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toKey(doc: StoredApiKey): ApiKey {
  const { _id, secretHash: _secretHash, ...rest } = doc;
  return { keyId: _id, ...rest };
}
