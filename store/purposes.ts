import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Channel, LawfulBasis } from '../domain/consent';
import type { RenewalPolicy } from '../domain/consent-policy';
import { isDuplicateKey } from '../platform/mongo';

/**
 * The purposes register and its notice versions. A consent always points at the exact notice text it was given on
 * (by version and SHA-256 of the text), so the organisation can show what the person was told.
 */
export interface Purpose {
  id: string;
  name: string;
  description: string;
  lawfulBasis: LawfulBasis;
  channels: Channel[];
  policies: RenewalPolicy[];
  /** Increases with every policy change, so running lifecycles can tell which policy they run under. */
  policyVersion: number;
  doubleOptIn: { required: boolean; confirmWithin: string };
  currentNoticeVersionId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NoticeVersion {
  id: string;
  purposeId: string;
  version: number;
  text: string;
  textHash: string;
  language: string;
  effectiveFrom: Date;
  createdAt: Date;
  createdBy: string;
}

type StoredPurpose = Omit<Purpose, 'id'> & { _id: string };
type StoredNotice = Omit<NoticeVersion, 'id'> & { _id: string };

export class PurposeExistsError extends Error {}

export function hashNotice(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class PurposeStore {
  private readonly purposes: Collection<StoredPurpose>;
  private readonly notices: Collection<StoredNotice>;
  private readonly noticeCache = new Map<string, NoticeVersion>();

  constructor(db: Db) {
    this.purposes = db.collection<StoredPurpose>('purposes');
    this.notices = db.collection<StoredNotice>('notice_versions');
  }

  async ensureIndexes(): Promise<void> {
    await this.notices.createIndex({ purposeId: 1, version: 1 }, { name: 'purpose_version_unique', unique: true });
  }

  async create(input: Omit<Purpose, 'createdAt' | 'updatedAt' | 'policyVersion' | 'currentNoticeVersionId'>): Promise<Purpose> {
    const now = new Date();
    const { id, ...rest } = input;
    const doc: StoredPurpose = { _id: id, ...rest, policyVersion: 1, createdAt: now, updatedAt: now };
    try {
      await this.purposes.insertOne(doc);
    } catch (err) {
      if (isDuplicateKey(err)) throw new PurposeExistsError(`purpose ${id} already exists`);
      throw err;
    }
    return fromStored(doc);
  }

  async get(id: string): Promise<Purpose | undefined> {
    const doc = await this.purposes.findOne({ _id: id });
    return doc ? fromStored(doc) : undefined;
  }

  async list(): Promise<Purpose[]> {
    return (await this.purposes.find({}).sort({ _id: 1 }).toArray()).map(fromStored);
  }

  /** Applies changes; a change of policies bumps the policy version. */
  async update(id: string, changes: Partial<Pick<Purpose, 'name' | 'description' | 'channels' | 'policies' | 'doubleOptIn'>>): Promise<Purpose | undefined> {
    const doc = await this.purposes.findOneAndUpdate(
      { _id: id },
      { $set: { ...changes, updatedAt: new Date() }, ...(changes.policies && { $inc: { policyVersion: 1 } }) },
      { returnDocument: 'after' },
    );
    return doc ? fromStored(doc) : undefined;
  }

  /** Publishes a new notice version (numbered after the latest) and makes it current from its effective date. */
  async addNotice(input: { purposeId: string; text: string; language: string; effectiveFrom: Date; createdBy: string }): Promise<NoticeVersion> {
    for (;;) {
      const [latest] = await this.notices.find({ purposeId: input.purposeId }).sort({ version: -1 }).limit(1).toArray();
      const version = (latest?.version ?? 0) + 1;
      const doc: StoredNotice = { _id: `${input.purposeId}@${version}`, ...input, version, textHash: hashNotice(input.text), createdAt: new Date() };
      try {
        await this.notices.insertOne(doc);
      } catch (err) {
        if (isDuplicateKey(err)) continue; // another publisher took this number
        throw err;
      }
      await this.purposes.updateOne({ _id: input.purposeId }, { $set: { currentNoticeVersionId: doc._id, updatedAt: new Date() } });
      return noticeFromStored(doc);
    }
  }

  /** Notice versions never change once published, so each is read from the database once per process. */
  async notice(id: string): Promise<NoticeVersion | undefined> {
    const cached = this.noticeCache.get(id);
    if (cached) return cached;
    const doc = await this.notices.findOne({ _id: id });
    const notice = doc ? noticeFromStored(doc) : undefined;
    if (notice) this.noticeCache.set(id, notice);
    return notice;
  }

  async noticesOf(purposeId: string): Promise<NoticeVersion[]> {
    return (await this.notices.find({ purposeId }).sort({ version: 1 }).toArray()).map(noticeFromStored);
  }
}

function fromStored({ _id, ...rest }: StoredPurpose): Purpose {
  return { id: _id, ...rest };
}

function noticeFromStored({ _id, ...rest }: StoredNotice): NoticeVersion {
  return { id: _id, ...rest };
}
