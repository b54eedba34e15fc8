import type { Collection, Db } from 'mongodb';
import type { Answers, Vendor, VendorContact, VendorStatus } from '../domain/vendor/types';
import type { FieldCrypto } from '../platform/field-crypto';
import { isDuplicateKey } from '../platform/mongo';
import { VersionClaims } from './version-claims';

/**
 * The vendor register and the questionnaires sent to vendors.
 *
 * Vendor contacts (names, e-mail addresses) are sealed in one encrypted field; the rest of a vendor is business data
 * about a company and stays in the clear. Questionnaire answers are sealed too: free text and documents from a vendor
 * may name people.
 */
interface StoredVendor extends Omit<Vendor, 'vendorId' | 'contacts'> {
  _id: string;
  contactsEnc: string;
  version: number;
  updatedAt: Date;
}

export type QuestionnaireStatus = 'open' | 'submitted' | 'expired';

export interface VendorQuestionnaire {
  questionnaireId: string;
  vendorId: string;
  reviewId: string;
  /** Which question set, and its version: answers are scored against exactly this. */
  setId: string;
  setVersion: string;
  status: QuestionnaireStatus;
  sentAt: string;
  expiresAt: string;
  answers: Answers;
  savedAt?: string;
  submittedAt?: string;
}

interface StoredQuestionnaire extends Omit<VendorQuestionnaire, 'questionnaireId' | 'answers'> {
  _id: string;
  answersEnc: string;
}

const CONTACTS = 'vendors.contacts';
const ANSWERS = 'vendor_questionnaires.answers';

export class VendorStore {
  private readonly vendors: Collection<StoredVendor>;
  private readonly claims: VersionClaims<StoredVendor>;
  private readonly questionnaires: Collection<StoredQuestionnaire>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.vendors = db.collection<StoredVendor>('vendors');
    this.claims = new VersionClaims(db, 'vendors');
    this.questionnaires = db.collection<StoredQuestionnaire>('vendor_questionnaires');
  }

  async ensureIndexes(): Promise<void> {
    await this.vendors.createIndex({ status: 1 }, { name: 'status' });
    await this.questionnaires.createIndex({ vendorId: 1 }, { name: 'vendor' });
  }

  /** Creates a vendor; false when the id is taken (a retried create). */
  async create(vendor: Vendor): Promise<boolean> {
    try {
      await this.vendors.insertOne(this.encode(vendor, 1));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async get(vendorId: string): Promise<(Vendor & { version: number }) | undefined> {
    const doc = await this.vendors.findOne({ _id: vendorId });
    return doc ? this.decode(doc) : undefined;
  }

  /**
   * Replaces a vendor if it is still at `version` (optimistic concurrency, claimed: see VersionClaims); false when
   * someone else changed it first.
   */
  async replace(vendor: Vendor, version: number): Promise<boolean> {
    return this.claims.write(vendor.vendorId, version, this.encode(vendor, version + 1), (claimed) => this.vendors.replaceOne({ _id: vendor.vendorId, version }, claimed));
  }

  /** Applies a change computed from the current vendor, retrying when a concurrent writer got there first. */
  async update(vendorId: string, change: (vendor: Vendor) => Vendor): Promise<Vendor> {
    for (;;) {
      const current = await this.get(vendorId);
      if (!current) throw new Error(`vendor ${vendorId} does not exist`);
      const { version, ...vendor } = current;
      const next = change(vendor);
      if (await this.replace(next, version)) return next;
    }
  }

  async setStatus(vendorId: string, status: VendorStatus, extra: Partial<Vendor> = {}): Promise<Vendor> {
    return this.update(vendorId, (v) => ({ ...v, ...extra, status }));
  }

  async list(filter: { status?: VendorStatus } = {}): Promise<Vendor[]> {
    const docs = await this.vendors.find(filter.status ? { status: filter.status } : {}).toArray();
    return docs.map((d) => this.decode(d)).sort((a, b) => a.vendorId.localeCompare(b.vendorId));
  }

  /** Registers a questionnaire sent to a vendor; a retried call finds the one already there. */
  async openQuestionnaire(q: Omit<VendorQuestionnaire, 'status' | 'answers'>): Promise<VendorQuestionnaire> {
    const { questionnaireId, ...rest } = q;
    const doc: StoredQuestionnaire = { ...rest, _id: questionnaireId, status: 'open', answersEnc: this.crypto.encrypt('{}', ANSWERS) };
    try {
      await this.questionnaires.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return (await this.questionnaire(q.questionnaireId))!;
  }

  async questionnaire(questionnaireId: string): Promise<VendorQuestionnaire | undefined> {
    const doc = await this.questionnaires.findOne({ _id: questionnaireId });
    if (!doc) return undefined;
    const { _id, answersEnc, ...rest } = doc;
    return { ...rest, questionnaireId: _id, answers: JSON.parse(this.crypto.decrypt(answersEnc, ANSWERS)) as Answers };
  }

  /** Saves answers to an open questionnaire; false when it is no longer open. */
  async saveAnswers(questionnaireId: string, answers: Answers, at: string): Promise<boolean> {
    const result = await this.questionnaires.updateOne({ _id: questionnaireId, status: 'open' }, { $set: { answersEnc: this.crypto.encrypt(JSON.stringify(answers), ANSWERS), savedAt: at } });
    return result.matchedCount === 1;
  }

  /**
   * Moves an open questionnaire to submitted or expired. The filter on `open` makes this the one moment a
   * questionnaire changes hands: a second submit, or a submit racing the expiry, finds nothing to change.
   */
  async close(questionnaireId: string, status: 'submitted' | 'expired', at: string): Promise<boolean> {
    const result = await this.questionnaires.updateOne({ _id: questionnaireId, status: 'open' }, { $set: { status, ...(status === 'submitted' ? { submittedAt: at } : {}) } });
    return result.matchedCount === 1;
  }

  private encode(vendor: Vendor, version: number): StoredVendor {
    const { vendorId, contacts, ...rest } = vendor;
    return { ...rest, _id: vendorId, contactsEnc: this.crypto.encrypt(JSON.stringify(contacts), CONTACTS), version, updatedAt: new Date() };
  }

  private decode(doc: StoredVendor): Vendor & { version: number } {
    const { _id, contactsEnc, updatedAt: _updatedAt, ...rest } = doc;
    return { ...rest, vendorId: _id, contacts: JSON.parse(this.crypto.decrypt(contactsEnc, CONTACTS)) as VendorContact[] };
  }
}
