import type { Collection, Db, Filter } from 'mongodb';
import type { FieldCrypto } from '../platform/field-crypto';
import { isDuplicateKey } from '../platform/mongo';

/**
 * The delivery log: one document per e-mail or webhook delivery, keyed by the caller's idempotency key, with every
 * attempt appended to it. The key being the `_id` is what makes sending idempotent without transactions: a retried
 * activity finds the document it (or a crashed predecessor) claimed and sees whether the delivery already went out.
 *
 * Recipient addresses are personal data: stored encrypted, plus blind indexes so "what did we send to this person?"
 * (an access request) can be answered without decrypting the whole log. The blind-index scope is the one the
 * principals store uses for e-mail, on purpose, so a principal's e-mail index also finds the mail sent to them.
 * Attempts record outcomes and response codes, never addresses or response bodies.
 */
export type DeliveryChannel = 'email' | 'webhook';
/** `sending`: an attempt is (or was, when its worker died) under way. `skipped`: nothing was sent, on purpose. */
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed' | 'skipped';
/** `failed` will be retried; `rejected` will not (the receiver or the input said no for good). */
export type AttemptOutcome = 'delivered' | 'failed' | 'rejected';

export interface DeliveryAttempt {
  /** The activity attempt number (1 for the first try). */
  attempt: number;
  at: Date;
  outcome: AttemptOutcome;
  durationMs?: number;
  /** SMTP reply code or HTTP status. */
  responseCode?: number;
  /** What went wrong, with addresses and credentials removed. */
  error?: string;
}

export interface Delivery {
  id: string;
  channel: DeliveryChannel;
  /** Template kind (e-mail) or event type (webhook). */
  kind: string;
  endpointId?: string;
  eventId?: string;
  recipientCount?: number;
  status: DeliveryStatus;
  skipReason?: string;
  attempts: DeliveryAttempt[];
  createdAt: Date;
  updatedAt: Date;
  deliveredAt?: Date;
  resource?: { type: string; id: string };
  workflowId?: string;
}

export interface DeliveryInit {
  channel: DeliveryChannel;
  kind: string;
  endpointId?: string;
  eventId?: string;
  /** E-mail only; stored encrypted. */
  recipients?: string[];
  resource?: { type: string; id: string };
  workflowId?: string;
}

export interface DeliveryQuery {
  channel?: DeliveryChannel;
  status?: DeliveryStatus;
  kind?: string;
  endpointId?: string;
  resourceType?: string;
  resourceId?: string;
  workflowId?: string;
  /** An e-mail address; matched through its blind index. */
  recipient?: string;
  from?: Date;
  to?: Date;
  /** Cursor: the id of the last delivery of the previous page (pages go in id order). */
  afterId?: string;
  limit?: number;
}

interface StoredDelivery extends Omit<Delivery, 'id'> {
  _id: string;
  recipientsEnc?: string;
  recipientsIndex?: string[];
}

const RECIPIENTS_CONTEXT = 'deliveries.recipients';
const EMAIL_INDEX_SCOPE = 'email';

export class DeliveryStore {
  private readonly deliveries: Collection<StoredDelivery>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.deliveries = db.collection<StoredDelivery>('deliveries');
  }

  async ensureIndexes(): Promise<void> {
    await this.deliveries.createIndex({ status: 1 }, { name: 'status' });
    await this.deliveries.createIndex({ 'resource.id': 1 }, { name: 'resource' });
    await this.deliveries.createIndex({ workflowId: 1 }, { name: 'workflow' });
    await this.deliveries.createIndex({ recipientsIndex: 1 }, { name: 'recipients_index' });
    await this.deliveries.createIndex({ createdAt: 1 }, { name: 'created_at' });
  }

  /**
   * The delivery with this key: created as `pending` if it does not exist yet, otherwise returned as it is — which
   * tells a retried caller whether an earlier attempt already delivered. Two concurrent callers get the same document.
   */
  async claim(key: string, init: DeliveryInit): Promise<Delivery> {
    const existing = await this.deliveries.findOne({ _id: key });
    if (existing) return toDelivery(existing);
    const now = new Date();
    const doc: StoredDelivery = {
      _id: key,
      channel: init.channel,
      kind: init.kind,
      ...(init.endpointId !== undefined && { endpointId: init.endpointId }),
      ...(init.eventId !== undefined && { eventId: init.eventId }),
      ...(init.recipients && this.recipientFields(init.recipients)),
      status: 'pending',
      attempts: [],
      createdAt: now,
      updatedAt: now,
      ...(init.resource && { resource: { type: init.resource.type, id: init.resource.id } }),
      ...(init.workflowId !== undefined && { workflowId: init.workflowId }),
    };
    try {
      await this.deliveries.insertOne(doc);
      return toDelivery(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // A twin claimed it between our read and our insert: theirs is the delivery.
      const winner = await this.deliveries.findOne({ _id: key });
      if (!winner) throw err;
      return toDelivery(winner);
    }
  }

  /** Marks an attempt as under way, so a worker that dies mid-send leaves `sending` behind rather than `pending`. */
  async markSending(key: string, at = new Date()): Promise<void> {
    await this.deliveries.updateOne({ _id: key, status: { $ne: 'delivered' } }, { $set: { status: 'sending', updatedAt: at } });
  }

  /** Appends a failed or rejected attempt; never downgrades a delivery a concurrent twin already completed. */
  async recordAttempt(key: string, attempt: DeliveryAttempt): Promise<void> {
    if (attempt.outcome === 'delivered') return this.markDelivered(key, attempt);
    await this.append(key, attempt, { status: 'failed' });
  }

  async markDelivered(key: string, attempt: Omit<DeliveryAttempt, 'outcome'>): Promise<void> {
    await this.append(key, { ...attempt, outcome: 'delivered' }, { status: 'delivered', deliveredAt: new Date() });
  }

  /** Nothing will be sent for this delivery (e.g. its endpoint was deactivated); the reason is kept for operators. */
  async markSkipped(key: string, reason: string): Promise<void> {
    await this.deliveries.updateOne({ _id: key, status: { $ne: 'delivered' } }, { $set: { status: 'skipped', skipReason: reason, updatedAt: new Date() } });
  }

  async get(key: string): Promise<Delivery | undefined> {
    const doc = await this.deliveries.findOne({ _id: key });
    return doc ? toDelivery(doc) : undefined;
  }

  /** The decrypted recipients of an e-mail delivery, for the few callers entitled to see them. */
  async recipientsOf(key: string): Promise<string[] | undefined> {
    const doc = await this.deliveries.findOne({ _id: key }, { projection: { recipientsEnc: 1 } });
    if (!doc?.recipientsEnc) return undefined;
    return JSON.parse(this.crypto.decrypt(doc.recipientsEnc, RECIPIENTS_CONTEXT)) as string[];
  }

  async list(query: DeliveryQuery = {}): Promise<Delivery[]> {
    const filter: Filter<StoredDelivery> = {};
    if (query.channel) filter.channel = query.channel;
    if (query.status) filter.status = query.status;
    if (query.kind) filter.kind = query.kind;
    if (query.endpointId) filter.endpointId = query.endpointId;
    if (query.resourceType) filter['resource.type'] = query.resourceType;
    if (query.resourceId) filter['resource.id'] = query.resourceId;
    if (query.workflowId) filter.workflowId = query.workflowId;
    if (query.recipient) filter.recipientsIndex = this.addressIndex(query.recipient);
    if (query.from || query.to) filter.createdAt = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    if (query.afterId) filter._id = { $gt: query.afterId };
    const docs = await this.deliveries.find(filter).sort({ _id: 1 }).limit(query.limit ?? 100).toArray();
    return docs.map(toDelivery);
  }

  /**
   * One update per attempt, so the attempt and the status it leads to are written together. When a twin already
   * marked the delivery delivered, the attempt is still appended (it happened) but the status stays.
   */
  private async append(key: string, attempt: DeliveryAttempt, set: Partial<StoredDelivery>): Promise<void> {
    const updatedAt = new Date();
    const moved = await this.deliveries.updateOne({ _id: key, status: { $ne: 'delivered' } }, { $set: { ...set, updatedAt }, $push: { attempts: attempt } });
    if (moved.matchedCount > 0) return;
    const appended = await this.deliveries.updateOne({ _id: key }, { $set: { updatedAt }, $push: { attempts: attempt } });
    if (appended.matchedCount === 0) throw new Error(`delivery ${key} was never claimed`);
  }

  private recipientFields(recipients: string[]): Pick<StoredDelivery, 'recipientsEnc' | 'recipientsIndex' | 'recipientCount'> {
    return {
      recipientsEnc: this.crypto.encrypt(JSON.stringify(recipients), RECIPIENTS_CONTEXT),
      recipientsIndex: [...new Set(recipients.map((r) => this.addressIndex(r)))],
      recipientCount: recipients.length,
    };
  }

  private addressIndex(address: string): string {
    return this.crypto.blindIndex(address.trim().toLowerCase(), EMAIL_INDEX_SCOPE);
  }
}

/** Field by field, so encrypted recipients and their indexes can never leak into what callers see. */
function toDelivery(doc: StoredDelivery): Delivery {
  return {
    id: doc._id,
    channel: doc.channel,
    kind: doc.kind,
    ...(doc.endpointId !== undefined && { endpointId: doc.endpointId }),
    ...(doc.eventId !== undefined && { eventId: doc.eventId }),
    ...(doc.recipientCount !== undefined && { recipientCount: doc.recipientCount }),
    status: doc.status,
    ...(doc.skipReason !== undefined && { skipReason: doc.skipReason }),
    attempts: (doc.attempts ?? []).map((a) => ({ ...a })),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    ...(doc.deliveredAt && { deliveredAt: doc.deliveredAt }),
    ...(doc.resource && { resource: { type: doc.resource.type, id: doc.resource.id } }),
    ...(doc.workflowId !== undefined && { workflowId: doc.workflowId }),
  };
}
