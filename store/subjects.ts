import type { Collection, Db, FindCursor } from 'mongodb';
import { nameMatchKey } from '../domain/audit/duplicates';
import type { SubjectRecord } from '../domain/audit/accuracy';
import type { SubjectInput } from '../domain/subject';
import type { FieldCrypto } from '../platform/field-crypto';
import { isDuplicateKey } from '../platform/mongo';
import { newId } from './ids';

/**
 * Data subjects. Name, e-mail, phone and address are encrypted; e-mail and phone also get blind indexes so the CRM
 * can find a person by either without the database ever holding them in clear. Country and region stay clear:
 * they decide which rules apply and are not identifying on their own.
 */
export interface Subject extends SubjectInput {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredSubject {
  _id: string;
  nameEnc?: string;
  emailEnc?: string;
  emailIndex?: string;
  phoneEnc?: string;
  phoneIndex?: string;
  /** Blind index of the name's match key and the country: equal for near-identical names, for duplicate audits. */
  nameKeyIndex?: string;
  addressEnc?: string;
  country: string;
  region?: string;
  timeZone?: string;
  externalId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export class SubjectConflictError extends Error {}

export const DUPLICATE_INDEXES = ['emailIndex', 'phoneIndex', 'nameKeyIndex'] as const;
export type DuplicateIndex = (typeof DUPLICATE_INDEXES)[number];

export type AuditScanDoc = Pick<StoredSubject, '_id' | 'emailEnc' | 'phoneEnc' | 'region' | 'updatedAt'> & { country?: string };

export class SubjectStore {
  private readonly subjects: Collection<StoredSubject>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.subjects = db.collection<StoredSubject>('subjects');
  }

  async ensureIndexes(): Promise<void> {
    await this.subjects.createIndex({ emailIndex: 1 }, { name: 'email_index' });
    await this.subjects.createIndex({ phoneIndex: 1 }, { name: 'phone_index' });
    // FerretDB v1 has no partial or sparse indexes, so subjects without an external id get their own id there.
    await this.subjects.createIndex({ externalId: 1 }, { name: 'external_id_unique', unique: true });
    // Duplicate audits read the subjects in the order of each blind index, resuming after a (value, id) pair.
    for (const field of DUPLICATE_INDEXES) await this.subjects.createIndex({ [field]: 1, _id: 1 }, { name: `${field}_scan` });
  }

  /** Creates many subjects at once (a migration, a benchmark): no idempotency by external id, no validation. */
  async createMany(inputs: SubjectInput[]): Promise<string[]> {
    const now = new Date();
    const docs = inputs.map((input) => {
      const id = newId('sub');
      return { _id: id, ...this.encode(input), externalId: input.externalId ?? id, createdAt: now, updatedAt: now };
    });
    if (docs.length > 0) await this.subjects.insertMany(docs, { ordered: false });
    return docs.map((d) => d._id);
  }

  /**
   * Subjects in the server's storage order after the first `skip`, with the fields the data-accuracy audit reads
   * (still encrypted: the caller decrypts one batch at a time through `auditRecord`). No sort on purpose: FerretDB
   * sorts a whole collection in memory before it returns the first document of a sorted query, on every resume.
   */
  scanForAudit(options: { skip: number; countries?: string[]; batchSize: number }): FindCursor<AuditScanDoc> {
    const filter = options.countries ? { country: { $in: options.countries } } : {};
    return this.subjects
      .find(filter, { projection: { emailEnc: 1, phoneEnc: 1, country: 1, region: 1, updatedAt: 1 }, skip: options.skip })
      .batchSize(options.batchSize) as FindCursor<AuditScanDoc>;
  }

  /** The subjects that have a blind index, in its order, resuming after a (value, id) pair; ids and values only. */
  scanIndex(field: DuplicateIndex, options: { after?: { value: string; id: string }; batchSize: number }): FindCursor<{ _id: string; value: string }> {
    const present = { [field]: { $type: 'string' } };
    const filter = options.after
      ? { $and: [present, { $or: [{ [field]: { $gt: options.after.value } }, { [field]: options.after.value, _id: { $gt: options.after.id } }] }] }
      : present;
    return this.subjects
      .find(filter, { projection: { _id: 1, [field]: 1 } })
      .sort({ [field]: 1, _id: 1 })
      .batchSize(options.batchSize)
      .allowDiskUse(true)
      .map((doc) => ({ _id: doc._id, value: (doc as unknown as Record<string, string>)[field] }));
  }

  /** One subject's fields as stored (not validated), for a cleansing run to compare with what it previewed. */
  async auditRecordOf(id: string): Promise<SubjectRecord | undefined> {
    const doc = await this.subjects.findOne({ _id: id });
    return doc ? this.auditRecord(doc) : undefined;
  }

  auditRecord(doc: AuditScanDoc): SubjectRecord {
    return {
      id: doc._id,
      ...(doc.emailEnc && { email: this.crypto.decrypt(doc.emailEnc, 'subjects.email') }),
      ...(doc.phoneEnc && { phone: this.crypto.decrypt(doc.phoneEnc, 'subjects.phone') }),
      ...(doc.country !== undefined && { country: doc.country }),
      ...(doc.region && { region: doc.region }),
      updatedAt: doc.updatedAt instanceof Date ? doc.updatedAt.toISOString() : String(doc.updatedAt),
    };
  }

  emailIndex(email: string): string {
    return this.crypto.blindIndex(email, 'email');
  }

  phoneIndex(phone: string): string {
    return this.crypto.blindIndex(phone, 'phone');
  }

  /** Creates a subject, or — for an externalId already known — returns the existing one (imports are idempotent). */
  async create(input: SubjectInput, id = newId('sub')): Promise<{ subject: Subject; created: boolean }> {
    const now = new Date();
    const doc: StoredSubject = { _id: id, ...this.encode(input), createdAt: now, updatedAt: now };
    doc.externalId = input.externalId ?? id;
    try {
      await this.subjects.insertOne(doc);
      return { subject: this.decode(doc), created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.subjects.findOne({ externalId: doc.externalId });
      if (!existing) throw err;
      return { subject: this.decode(existing), created: false };
    }
  }

  async get(id: string): Promise<Subject | undefined> {
    const doc = await this.subjects.findOne({ _id: id });
    return doc ? this.decode(doc) : undefined;
  }

  async findByEmail(email: string): Promise<Subject[]> {
    return (await this.subjects.find({ emailIndex: this.emailIndex(email) }).limit(50).toArray()).map((d) => this.decode(d));
  }

  async findByPhone(phone: string): Promise<Subject[]> {
    return (await this.subjects.find({ phoneIndex: this.phoneIndex(phone) }).limit(50).toArray()).map((d) => this.decode(d));
  }

  async findByExternalId(externalId: string): Promise<Subject | undefined> {
    const doc = await this.subjects.findOne({ externalId });
    return doc ? this.decode(doc) : undefined;
  }

  /** Rewrites the subject's fields from a validated whole (the API merges a patch into the current record first). */
  async replace(id: string, input: SubjectInput): Promise<Subject | undefined> {
    const encoded = this.encode(input);
    const optional = ['nameEnc', 'emailEnc', 'emailIndex', 'phoneEnc', 'phoneIndex', 'nameKeyIndex', 'addressEnc', 'region', 'timeZone'] as const;
    const unset = Object.fromEntries(optional.filter((field) => encoded[field] === undefined).map((field) => [field, '' as const]));
    const { externalId: _externalId, ...fields } = encoded;
    const doc = await this.subjects.findOneAndUpdate(
      { _id: id },
      { $set: { ...fields, updatedAt: new Date() }, ...(Object.keys(unset).length > 0 && { $unset: unset }) },
      { returnDocument: 'after' },
    );
    return doc ? this.decode(doc) : undefined;
  }

  /** Writes one field's new value (a cleansing run), only if it still holds `before`; false when it changed meanwhile. */
  async replaceField(id: string, field: 'email' | 'phone' | 'country', before: string, after: string): Promise<boolean> {
    const doc = await this.subjects.findOne({ _id: id });
    if (!doc) return false;
    const current = this.auditRecord(doc)[field];
    if (current !== before) return false;
    const set: Partial<StoredSubject> =
      field === 'email'
        ? { emailEnc: this.crypto.encrypt(after, 'subjects.email'), emailIndex: this.emailIndex(after) }
        : field === 'phone'
          ? { phoneEnc: this.crypto.encrypt(after, 'subjects.phone'), phoneIndex: this.phoneIndex(after) }
          : { country: after };
    // The stored ciphertext is the version check: a concurrent edit re-encrypts with a fresh IV and fails the filter.
    const guard = field === 'email' ? { emailEnc: doc.emailEnc } : field === 'phone' ? { phoneEnc: doc.phoneEnc } : { country: doc.country };
    const result = await this.subjects.updateOne({ _id: id, ...guard }, { $set: { ...set, updatedAt: new Date() } });
    return result.modifiedCount === 1;
  }

  private encode(input: SubjectInput): Omit<StoredSubject, '_id' | 'createdAt' | 'updatedAt'> {
    const nameKey = input.name ? nameMatchKey(input.name) : undefined;
    return {
      ...(nameKey && { nameKeyIndex: this.crypto.blindIndex(`${nameKey}\u0000${(input.country ?? "").trim().toUpperCase()}`, 'name-key') }),
      ...(input.name && { nameEnc: this.crypto.encrypt(input.name, 'subjects.name') }),
      ...(input.email && { emailEnc: this.crypto.encrypt(input.email, 'subjects.email'), emailIndex: this.emailIndex(input.email) }),
      ...(input.phone && { phoneEnc: this.crypto.encrypt(input.phone, 'subjects.phone'), phoneIndex: this.phoneIndex(input.phone) }),
      ...(input.address && { addressEnc: this.crypto.encrypt(JSON.stringify(input.address), 'subjects.address') }),
      country: input.country,
      ...(input.region && { region: input.region }),
      ...(input.timeZone && { timeZone: input.timeZone }),
      ...(input.externalId && { externalId: input.externalId }),
    };
  }

  private decode(doc: StoredSubject): Subject {
    return {
      id: doc._id,
      ...(doc.nameEnc && { name: this.crypto.decrypt(doc.nameEnc, 'subjects.name') }),
      ...(doc.emailEnc && { email: this.crypto.decrypt(doc.emailEnc, 'subjects.email') }),
      ...(doc.phoneEnc && { phone: this.crypto.decrypt(doc.phoneEnc, 'subjects.phone') }),
      ...(doc.addressEnc && { address: JSON.parse(this.crypto.decrypt(doc.addressEnc, 'subjects.address')) }),
      country: doc.country,
      ...(doc.region && { region: doc.region }),
      ...(doc.timeZone && { timeZone: doc.timeZone }),
      ...(doc.externalId && doc.externalId !== doc._id && { externalId: doc.externalId }),
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    };
  }
}
