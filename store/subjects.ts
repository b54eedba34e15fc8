import type { Collection, Db } from 'mongodb';
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
  addressEnc?: string;
  country: string;
  region?: string;
  timeZone?: string;
  externalId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export class SubjectConflictError extends Error {}

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
    const optional = ['nameEnc', 'emailEnc', 'emailIndex', 'phoneEnc', 'phoneIndex', 'addressEnc', 'region', 'timeZone'] as const;
    const unset = Object.fromEntries(optional.filter((field) => encoded[field] === undefined).map((field) => [field, '' as const]));
    const { externalId: _externalId, ...fields } = encoded;
    const doc = await this.subjects.findOneAndUpdate(
      { _id: id },
      { $set: { ...fields, updatedAt: new Date() }, ...(Object.keys(unset).length > 0 && { $unset: unset }) },
      { returnDocument: 'after' },
    );
    return doc ? this.decode(doc) : undefined;
  }

  private encode(input: SubjectInput): Omit<StoredSubject, '_id' | 'createdAt' | 'updatedAt'> {
    return {
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
