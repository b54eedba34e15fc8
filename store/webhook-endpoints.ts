import { randomBytes } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import type { FieldCrypto } from '../platform/field-crypto';
import { newId } from './ids';

/**
 * Systems that want to hear about events. Unlike API keys, the signing secret cannot be stored as a hash: we need
 * the secret itself to sign every delivery. It is therefore stored encrypted, returned once at creation, and
 * decrypted only by the code that signs.
 *
 * Endpoints are never deleted, only deactivated, so the delivery log can always name the endpoint it delivered to.
 */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Event types delivered to the endpoint, or `['*']` for all of them. */
  events: string[];
  /** Only events about these purposes (consent changes); omitted: events about any purpose. */
  purposeIds?: string[];
  description: string;
  active: boolean;
  createdAt: Date;
  createdBy: string;
  deactivatedAt?: Date;
  deactivatedBy?: string;
}

interface StoredEndpoint extends Omit<WebhookEndpoint, 'id'> {
  _id: string;
  secretEnc: string;
}

/** Input the store refuses; the API turns it into a 400 rather than a 500. */
export class InvalidEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEndpointError';
  }
}

export const ALL_EVENTS = '*';
const SECRET_CONTEXT = 'webhook_endpoints.secret';
const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

export class WebhookEndpointStore {
  private readonly endpoints: Collection<StoredEndpoint>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.endpoints = db.collection<StoredEndpoint>('webhook_endpoints');
  }

  async ensureIndexes(): Promise<void> {
    // Endpoints are few, so matching subscriptions by scanning the active ones is cheap; no index on `events`.
    await this.endpoints.createIndex({ active: 1 }, { name: 'active' });
  }

  /** Creates an endpoint and returns its signing secret: the only time the secret leaves the database. */
  async create(input: { url: string; events: string[]; purposeIds?: string[]; description?: string; createdBy: string }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const events = normaliseEvents(input.events);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const doc: StoredEndpoint = {
      _id: newId('whe'),
      url: checkUrl(input.url),
      events,
      ...(input.purposeIds && input.purposeIds.length > 0 && { purposeIds: [...new Set(input.purposeIds)] }),
      description: input.description ?? '',
      active: true,
      createdAt: new Date(),
      createdBy: input.createdBy,
      secretEnc: this.crypto.encrypt(secret, SECRET_CONTEXT),
    };
    await this.endpoints.insertOne(doc);
    return { endpoint: toEndpoint(doc), secret };
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const doc = await this.endpoints.findOne({ _id: id });
    return doc ? toEndpoint(doc) : undefined;
  }

  async list(options: { afterId?: string; limit?: number; active?: boolean } = {}): Promise<WebhookEndpoint[]> {
    const filter: Filter<StoredEndpoint> = {};
    if (options.afterId) filter._id = { $gt: options.afterId };
    if (options.active !== undefined) filter.active = options.active;
    const docs = await this.endpoints.find(filter).sort({ _id: 1 }).limit(options.limit ?? 100).toArray();
    return docs.map(toEndpoint);
  }

  /** Soft delete: the endpoint stops receiving deliveries but stays on record. Idempotent. */
  async deactivate(id: string, by: string, at = new Date()): Promise<WebhookEndpoint | undefined> {
    const doc = await this.endpoints.findOneAndUpdate({ _id: id, active: true }, { $set: { active: false, deactivatedAt: at, deactivatedBy: by } }, { returnDocument: 'after' });
    return doc ? toEndpoint(doc) : this.get(id);
  }

  /** Active endpoints subscribed to the event type, by name or through `*`, in id order; for an event about a
   * purpose, only endpoints that take every purpose or name this one. */
  async targetsFor(eventType: string, scope: { purposeId?: string } = {}): Promise<WebhookEndpoint[]> {
    const docs = await this.endpoints.find({ active: true, events: { $in: [eventType, ALL_EVENTS] } }).sort({ _id: 1 }).toArray();
    return docs.map(toEndpoint).filter((e) => !e.purposeIds || (scope.purposeId !== undefined && e.purposeIds.includes(scope.purposeId)));
  }

  /** The plaintext signing secret, for the code that signs deliveries and nothing else. */
  async secretOf(id: string): Promise<string | undefined> {
    const doc = await this.endpoints.findOne({ _id: id }, { projection: { secretEnc: 1 } });
    return doc ? this.crypto.decrypt(doc.secretEnc, SECRET_CONTEXT) : undefined;
  }
}

function normaliseEvents(events: string[]): string[] {
  const unique = [...new Set(events.map((e) => e.trim()))];
  if (unique.length === 0) throw new InvalidEndpointError('an endpoint must subscribe to at least one event type (or "*")');
  const bad = unique.filter((e) => e !== ALL_EVENTS && !EVENT_TYPE.test(e));
  if (bad.length > 0) throw new InvalidEndpointError(`invalid event types: ${bad.join(', ')}`);
  return unique.includes(ALL_EVENTS) ? [ALL_EVENTS] : unique.sort();
}

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidEndpointError('endpoint url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidEndpointError('endpoint url must be http or https');
  // Credentials in the URL would sit in plaintext in the database and in logs; the signature authenticates us.
  if (url.username || url.password) throw new InvalidEndpointError('endpoint url must not contain credentials');
  return url.toString();
}

/** Field by field, so the encrypted secret never reaches a caller by accident. */
function toEndpoint(doc: StoredEndpoint): WebhookEndpoint {
  return {
    id: doc._id,
    url: doc.url,
    events: doc.events,
    ...(doc.purposeIds && { purposeIds: doc.purposeIds }),
    description: doc.description,
    active: doc.active,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    ...(doc.deactivatedAt && { deactivatedAt: doc.deactivatedAt }),
    ...(doc.deactivatedBy !== undefined && { deactivatedBy: doc.deactivatedBy }),
  };
}
