import type { Collection, Db, FindCursor } from 'mongodb';
import type { Role } from '../domain/roles';
import type { FieldCrypto } from '../platform/field-crypto';
import { newId } from './ids';

/** A person or a system that calls the API. Names and e-mail addresses are PII: stored encrypted. */
export interface Principal {
  id: string;
  kind: 'person' | 'system';
  name: string;
  email?: string;
  roles: Role[];
  status: 'active' | 'disabled';
  /** The person accountable for a system principal (or an external auditor): access reviews ask them. */
  ownerId?: string;
  /** Time-boxed access (an external auditor, say): the principal cannot authenticate from this instant on. */
  expiresAt?: Date;
  createdAt: Date;
  createdBy: string;
}

/** What an access review needs to know about a principal, and nothing personal. */
export type PrincipalFacts = Pick<Principal, 'id' | 'kind' | 'roles' | 'status' | 'ownerId' | 'expiresAt'>;

interface StoredPrincipal {
  _id: string;
  kind: Principal['kind'];
  nameEnc: string;
  emailEnc?: string;
  emailIndex?: string;
  roles: Role[];
  status: Principal['status'];
  ownerId?: string;
  expiresAt?: Date;
  createdAt: Date;
  createdBy: string;
  updatedAt?: Date;
}

export class PrincipalStore {
  private readonly principals: Collection<StoredPrincipal>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.principals = db.collection<StoredPrincipal>('principals');
  }

  async ensureIndexes(): Promise<void> {
    await this.principals.createIndex({ emailIndex: 1 }, { name: 'email_index' });
  }

  async create(input: { kind: Principal['kind']; name: string; email?: string; roles: Role[]; createdBy: string; id?: string; ownerId?: string; expiresAt?: Date }): Promise<Principal> {
    const doc: StoredPrincipal = {
      _id: input.id ?? newId('prn'),
      kind: input.kind,
      nameEnc: this.crypto.encrypt(input.name, 'principals.name'),
      roles: [...new Set(input.roles)],
      status: 'active',
      ...(input.ownerId && { ownerId: input.ownerId }),
      ...(input.expiresAt && { expiresAt: input.expiresAt }),
      createdAt: new Date(),
      createdBy: input.createdBy,
    };
    if (input.email) {
      doc.emailEnc = this.crypto.encrypt(input.email, 'principals.email');
      doc.emailIndex = this.crypto.blindIndex(input.email.toLowerCase(), 'email');
    }
    await this.principals.insertOne(doc);
    return this.decode(doc);
  }

  async get(id: string): Promise<Principal | undefined> {
    const doc = await this.principals.findOne({ _id: id });
    return doc ? this.decode(doc) : undefined;
  }

  async list(options: { afterId?: string; limit: number }): Promise<Principal[]> {
    const filter = options.afterId ? { _id: { $gt: options.afterId } } : {};
    const docs = await this.principals.find(filter).sort({ _id: 1 }).limit(options.limit).toArray();
    return docs.map((d) => this.decode(d));
  }

  /** Every principal in id order after `afterId`, without names or e-mail addresses (for access audits). */
  scan(afterId?: string): FindCursor<PrincipalFacts> {
    return this.principals
      .find(afterId ? { _id: { $gt: afterId } } : {}, { projection: { nameEnc: 0, emailEnc: 0, emailIndex: 0 } })
      .sort({ _id: 1 })
      .map((doc) => ({ id: doc._id, kind: doc.kind, roles: doc.roles, status: doc.status, ...(doc.ownerId && { ownerId: doc.ownerId }), ...(doc.expiresAt && { expiresAt: doc.expiresAt }) }));
  }

  /** True while the principal may act: active and, when time-boxed, not past its expiry. */
  static isActive(principal: Pick<Principal, 'status' | 'expiresAt'>, now = new Date()): boolean {
    return principal.status === 'active' && (!principal.expiresAt || principal.expiresAt > now);
  }

  async count(): Promise<number> {
    return this.principals.countDocuments({});
  }

  async update(id: string, changes: { roles?: Role[]; status?: Principal['status']; ownerId?: string; expiresAt?: Date }): Promise<Principal | undefined> {
    const set: Partial<StoredPrincipal> = { updatedAt: new Date() };
    if (changes.roles) set.roles = [...new Set(changes.roles)];
    if (changes.status) set.status = changes.status;
    if (changes.ownerId) set.ownerId = changes.ownerId;
    if (changes.expiresAt) set.expiresAt = changes.expiresAt;
    const doc = await this.principals.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' });
    return doc ? this.decode(doc) : undefined;
  }

  private decode(doc: StoredPrincipal): Principal {
    return {
      id: doc._id,
      kind: doc.kind,
      name: this.crypto.decrypt(doc.nameEnc, 'principals.name'),
      ...(doc.emailEnc && { email: this.crypto.decrypt(doc.emailEnc, 'principals.email') }),
      roles: doc.roles,
      status: doc.status,
      ...(doc.ownerId && { ownerId: doc.ownerId }),
      ...(doc.expiresAt && { expiresAt: doc.expiresAt }),
      createdAt: doc.createdAt,
      createdBy: doc.createdBy,
    };
  }
}
