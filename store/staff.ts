import { createHash } from 'node:crypto';
import type { Collection, Db, FindCursor } from 'mongodb';
import type { StaffInput, StaffMember } from '../domain/staff';
import type { FieldCrypto } from '../platform/field-crypto';
import { isDuplicateKey } from '../platform/mongo';
import { newId } from './ids';

/**
 * The staff directory. Names and e-mail addresses are personal data: encrypted, with a blind index on the e-mail.
 * Department, job roles, status and the manager link stay in the clear: campaigns select their audience by them.
 * A member's HR id (`externalId`) is unique, so importing the same file again updates instead of adding: the
 * directory id of a member with an HR id is derived from it, so an import finds each member by `_id` (the one lookup
 * FerretDB serves from an index) instead of searching, and the HR id never appears in workflow ids.
 */
export function staffIdFor(externalId: string): string {
  return `stf_${createHash('sha256').update(externalId).digest('base64url').slice(0, 22)}`;
}

interface StoredMember extends Omit<StaffMember, 'id' | 'name' | 'email'> {
  _id: string;
  nameEnc: string;
  emailEnc: string;
  emailIndex: string;
  externalId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What campaigns read of a member to pick an audience: nothing personal. */
export type StaffFacts = Omit<StaffMember, 'name' | 'email'>;

export class StaffStore {
  private readonly staff: Collection<StoredMember>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.staff = db.collection<StoredMember>('staff');
  }

  async ensureIndexes(): Promise<void> {
    // FerretDB v1 has no partial indexes, so members without an HR id get their own id there.
    await this.staff.createIndex({ externalId: 1 }, { name: 'external_id_unique', unique: true });
    await this.staff.createIndex({ principalId: 1 }, { name: 'principal' });
  }

  /** Creates a member, or — for an HR id already known — replaces that member's fields. */
  async upsert(input: StaffInput): Promise<{ member: StaffMember; created: boolean }> {
    const now = new Date();
    const fields = this.encode(input);
    const id = input.externalId ? staffIdFor(input.externalId) : newId('stf');
    const externalId = input.externalId ?? id;
    try {
      await this.staff.insertOne({ _id: id, ...fields, externalId, createdAt: now, updatedAt: now });
      return { member: this.decode({ _id: id, ...fields, externalId, createdAt: now, updatedAt: now }), created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const updated = await this.staff.findOneAndUpdate({ _id: id }, { $set: { ...fields, updatedAt: now }, ...unsetMissing(fields) }, { returnDocument: 'after' });
      if (!updated) throw err;
      return { member: this.decode(updated), created: false };
    }
  }

  async get(id: string): Promise<StaffMember | undefined> {
    const doc = await this.staff.findOne({ _id: id });
    return doc ? this.decode(doc) : undefined;
  }

  async byExternalId(externalId: string): Promise<StaffMember | undefined> {
    return this.get(staffIdFor(externalId));
  }

  async byPrincipal(principalId: string): Promise<StaffMember | undefined> {
    const doc = await this.staff.findOne({ principalId });
    return doc ? this.decode(doc) : undefined;
  }

  async update(id: string, changes: Partial<StaffInput>): Promise<StaffMember | undefined> {
    const current = await this.get(id);
    if (!current) return undefined;
    const { id: _id, ...rest } = current;
    const merged = { ...rest, ...changes };
    const fields = this.encode(merged);
    const doc = await this.staff.findOneAndUpdate({ _id: id }, { $set: { ...fields, updatedAt: new Date() }, ...unsetMissing(fields) }, { returnDocument: 'after' });
    return doc ? this.decode(doc) : undefined;
  }

  /** Members in id order after `afterId`, without names or e-mail addresses (for audiences and reports). */
  scan(afterId?: string): FindCursor<StaffFacts> {
    return this.staff
      .find(afterId ? { _id: { $gt: afterId } } : {}, { projection: { nameEnc: 0, emailEnc: 0, emailIndex: 0 } })
      .sort({ _id: 1 })
      .batchSize(1000)
      .map(({ _id, createdAt: _c, updatedAt: _u, ...rest }) => ({ id: _id, ...rest }) as StaffFacts);
  }

  async list(options: { afterId?: string; limit: number; department?: string; status?: StaffMember['status'] }): Promise<StaffMember[]> {
    const filter = { ...(options.afterId && { _id: { $gt: options.afterId } }), ...(options.department && { department: options.department }), ...(options.status && { status: options.status }) };
    return (await this.staff.find(filter).sort({ _id: 1 }).limit(options.limit).toArray()).map((d) => this.decode(d));
  }

  private encode(input: StaffInput): Omit<StoredMember, '_id' | 'externalId' | 'createdAt' | 'updatedAt'> {
    const { name, email, externalId: _externalId, ...rest } = input;
    return { ...rest, nameEnc: this.crypto.encrypt(name, 'staff.name'), emailEnc: this.crypto.encrypt(email, 'staff.email'), emailIndex: this.crypto.blindIndex(email.toLowerCase(), 'email') };
  }

  private decode(doc: StoredMember): StaffMember {
    const { _id, nameEnc, emailEnc, emailIndex: _index, createdAt: _c, updatedAt: _u, externalId, ...rest } = doc;
    return { id: _id, ...rest, name: this.crypto.decrypt(nameEnc, 'staff.name'), email: this.crypto.decrypt(emailEnc, 'staff.email'), ...(externalId !== _id && { externalId }) };
  }
}

const OPTIONAL = ['managerId', 'startDate', 'endDate', 'principalId'] as const;

/** A replaced member loses the optional fields the new version leaves out. */
function unsetMissing(fields: Partial<StaffInput>): { $unset?: Record<string, ''> } {
  const missing = OPTIONAL.filter((f) => fields[f] === undefined);
  return missing.length > 0 ? { $unset: Object.fromEntries(missing.map((f) => [f, ''] as const)) } : {};
}
