import type { Collection, Db } from 'mongodb';
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
  createdAt: Date;
  createdBy: string;
}

interface StoredPrincipal {
  _id: string;
  kind: Principal['kind'];
  nameEnc: string;
  emailEnc?: string;
  emailIndex?: string;
  roles: Role[];
  status: Principal['status'];
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

  async create(input: { kind: Principal['kind']; name: string; email?: string; roles: Role[]; createdBy: string; id?: string }): Promise<Principal> {
    const doc: StoredPrincipal = {
      _id: input.id ?? newId('prn'),
      kind: input.kind,
      nameEnc: this.crypto.encrypt(input.name, 'principals.name'),
      roles: [...new Set(input.roles)],
      status: 'active',
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

  async count(): Promise<number> {
    return this.principals.countDocuments({});
  }

  async update(id: string, changes: { roles?: Role[]; status?: Principal['status'] }): Promise<Principal | undefined> {
    const set: Partial<StoredPrincipal> = { updatedAt: new Date() };
    if (changes.roles) set.roles = [...new Set(changes.roles)];
    if (changes.status) set.status = changes.status;
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
      createdAt: doc.createdAt,
      createdBy: doc.createdBy,
    };
  }
}
