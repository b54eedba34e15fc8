import type { Collection, Db, Filter, FindCursor } from 'mongodb';
import type { CampaignReport, Flag, RecertPolicy, ReviewItemFacts, ReviewItemState, ReviewStatus } from '../domain/campaign/recertification';
import type { Actor } from '../domain/evidence';
import type { Role } from '../domain/roles';
import { isDuplicateKey } from '../platform/mongo';
import type { ApiKeyStore } from './api-keys';
import type { EvidenceStore } from './evidence';
import type { PrincipalFacts, PrincipalStore } from './principals';
import { VersionClaims } from './version-claims';

/**
 * Access recertification campaigns (`access_reviews`), their review items (`access_review_items`, one per principal,
 * `_id` = `${reviewId}:${principalId}`) and the count of items still open per campaign (`access_review_counts`).
 *
 * Items are written by two parties at once — reviewers through the API, the campaign's notices from the worker — and
 * FerretDB applies an update by reading, changing and writing back the whole document. Every change of an item is
 * therefore a compare-and-set on its `version`, each version claimed first (see VersionClaims, since FerretDB's
 * conditional update alone is not atomic): a writer that lost the race re-reads the item and decides again. The
 * campaign document is written by the campaign's own activities only, one after another; the open count, which every
 * closing decision lowers, is a document of its own, claimed by version the same way.
 *
 * Nothing here is personal data: items carry ids, roles, statuses and flags; names and addresses stay with principals.
 */
export type AccessReviewStatus = 'building' | 'open' | 'ended';

/** What an access recertification campaign starts from; the API resolves `dueIn` and the defaults into it. */
export interface AccessReviewInput {
  reviewId: string;
  title: string;
  launchedBy: Actor;
  policy: RecertPolicy;
  dormantAfterDays: number;
  fallbackReviewer: string;
  escalateTo: string;
  /**
   * The API roles each job role needs (`{"account-executive": ["staff"]}`): a person's roles beyond those of their
   * job roles are flagged `role-mismatch`. People whose job roles are all unmapped are not judged.
   */
  roleMapping?: Record<string, string[]>;
}

export interface AccessReview extends AccessReviewInput {
  status: AccessReviewStatus;
  createdAt: string;
  /** When the items were built and the campaign opened for decisions. */
  openedAt?: string;
  items?: number;
  /** The notices sent so far, in order. */
  notices: { kind: string; index: number; at: string }[];
  endedAt?: string;
  /** The figures at the end; while the campaign runs, the API computes them live. */
  report?: CampaignReport;
}

export interface Revocation {
  at: string;
  cause: 'decision' | 'auto-revoke';
  keysRevoked: string[];
  rolesRemoved: string[];
}

export interface AccessReviewItem {
  itemId: string;
  reviewId: string;
  principalId: string;
  facts: ReviewItemFacts;
  flags: { flag: Flag; reason: string }[];
  /** Why this reviewer: the person's manager, the principal's owner, or the campaign's fallback reviewer. */
  reviewerBasis: 'manager' | 'owner' | 'fallback';
  state: ReviewItemState;
  /** Raised by every change: the compare-and-set guard. */
  version: number;
  /** When a decision or the final notice closed the item; the instant its revocation is dated with. */
  closedAt?: string;
  /** Set once a revoke outcome has taken effect: keys revoked and roles removed. */
  revocation?: Revocation;
}

interface StoredReview extends Omit<AccessReview, 'reviewId'> {
  _id: string;
}

interface StoredItem extends Omit<AccessReviewItem, 'itemId'> {
  _id: string;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredCount {
  _id: string;
  open: number;
  version: number;
}

/** What the campaign reads of a principal: the access facts, with the creation instant dormancy counts from. */
export type PrincipalAccessFacts = PrincipalFacts & { createdAt: Date };

const OPEN_STATUSES: readonly ReviewStatus[] = ['pending', 'escalated', 'awaiting-second-review'];
export const isOpenItem = (item: Pick<AccessReviewItem, 'state'>): boolean => OPEN_STATUSES.includes(item.state.status);

const MAX_COUNT_ATTEMPTS = 100;
const REVOCATION_PASSES = 3;

export const itemIdOf = (reviewId: string, principalId: string): string => `${reviewId}:${principalId}`;

export class AccessReviewStore {
  private readonly reviews: Collection<StoredReview>;
  private readonly items: Collection<StoredItem>;
  private readonly counts: Collection<StoredCount>;
  private readonly itemClaims: VersionClaims<Partial<StoredItem>>;
  private readonly countClaims: VersionClaims<{ open: number; version: number }>;

  constructor(readonly db: Db) {
    this.reviews = db.collection<StoredReview>('access_reviews');
    this.items = db.collection<StoredItem>('access_review_items');
    this.counts = db.collection<StoredCount>('access_review_counts');
    this.itemClaims = new VersionClaims(db, 'access_review_items');
    this.countClaims = new VersionClaims(db, 'access_review_counts');
  }

  async ensureIndexes(): Promise<void> {
    // On MongoDB these serve the listings; FerretDB v1 scans anyway, which is why every hot path reads by `_id`.
    await this.reviews.createIndex({ createdAt: -1 }, { name: 'created' });
    await this.items.createIndex({ reviewId: 1, _id: 1 }, { name: 'review' });
  }

  /** Registers a campaign; one already registered under the id is left as it is (an insert never overwrites). */
  async createReview(review: AccessReview): Promise<boolean> {
    const { reviewId, ...rest } = review;
    try {
      await this.reviews.insertOne({ _id: reviewId, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async getReview(reviewId: string): Promise<AccessReview | undefined> {
    const doc = await this.reviews.findOne({ _id: reviewId });
    return doc ? toReview(doc) : undefined;
  }

  async listReviews(options: { before?: string; limit: number }): Promise<AccessReview[]> {
    const filter: Filter<StoredReview> = options.before ? { createdAt: { $lt: options.before } } : {};
    return (await this.reviews.find(filter).sort({ createdAt: -1, _id: -1 }).limit(options.limit).toArray()).map(toReview);
  }

  async markOpen(reviewId: string, openedAt: string, items: number): Promise<void> {
    await this.reviews.updateOne({ _id: reviewId }, { $set: { status: 'open', openedAt, items } });
  }

  /** Records a notice as sent; the same notice twice (a retried activity) is recorded once. */
  async recordNotice(reviewId: string, notice: { kind: string; index: number; at: string }): Promise<void> {
    const review = await this.reviews.findOne({ _id: reviewId });
    if (!review || review.notices.some((n) => n.kind === notice.kind && n.index === notice.index)) return;
    await this.reviews.updateOne({ _id: reviewId }, { $set: { notices: [...review.notices, { kind: notice.kind, index: notice.index, at: notice.at }] } });
  }

  async markEnded(reviewId: string, endedAt: string, report: CampaignReport): Promise<void> {
    await this.reviews.updateOne({ _id: reviewId }, { $set: { status: 'ended', endedAt, report } });
  }

  /** Inserts items; those already there (a retried build) are left untouched, decisions and all. */
  async insertItems(items: AccessReviewItem[]): Promise<void> {
    if (items.length === 0) return;
    const now = new Date();
    try {
      await this.items.insertMany(
        items.map(({ itemId, ...rest }) => ({ _id: itemId, ...rest, createdAt: now, updatedAt: now })),
        { ordered: false },
      );
    } catch (err) {
      const writeErrors = (err as { writeErrors?: { code?: number }[] | { code?: number } }).writeErrors;
      const errors = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (!isDuplicateKey(err) || errors.some((e) => e.code !== 11000)) throw err;
    }
  }

  async getItem(reviewId: string, principalId: string): Promise<AccessReviewItem | undefined> {
    const doc = await this.items.findOne({ _id: itemIdOf(reviewId, principalId) });
    return doc ? toItem(doc) : undefined;
  }

  /**
   * Compare-and-set: writes the changes only if the item is still at the version it was read at. Undefined when
   * someone else changed it first: re-read it and decide again.
   */
  async updateItem(item: AccessReviewItem, changes: Partial<Pick<AccessReviewItem, 'state' | 'closedAt' | 'revocation'>>): Promise<AccessReviewItem | undefined> {
    const version = item.version + 1;
    const won = await this.itemClaims.write(item.itemId, item.version, { ...changes, version, updatedAt: new Date() }, (claimed) => this.items.updateOne({ _id: item.itemId, version: item.version }, { $set: claimed }));
    return won ? { ...item, ...changes, version } : undefined;
  }

  /** A campaign's items in principal order, optionally filtered; a page with `limit`. */
  itemsOf(reviewId: string, filter: { afterPrincipalId?: string; status?: ReviewStatus; flag?: Flag; reviewer?: string; limit?: number } = {}): FindCursor<AccessReviewItem> {
    const query: Filter<StoredItem> = {
      reviewId,
      ...(filter.afterPrincipalId !== undefined && { _id: { $gt: itemIdOf(reviewId, filter.afterPrincipalId) } }),
      ...(filter.status && { 'state.status': filter.status }),
      ...(filter.flag && { 'flags.flag': filter.flag }),
      ...(filter.reviewer && { 'state.reviewer': filter.reviewer }),
    };
    const cursor = this.items.find(query).sort({ _id: 1 }).batchSize(500);
    return (filter.limit ? cursor.limit(filter.limit) : cursor).map(toItem);
  }

  /**
   * Principals in id order after `afterId`, without names or e-mail addresses. PrincipalStore.scan leaves out the
   * creation instant, which the dormant flag counts from for a principal never used; this reads it beside the facts.
   */
  principalFacts(afterId?: string): FindCursor<PrincipalAccessFacts> {
    return this.db
      .collection<{ _id: string } & Omit<PrincipalAccessFacts, 'id'>>('principals')
      .find(afterId ? { _id: { $gt: afterId } } : {}, { projection: { kind: 1, roles: 1, status: 1, ownerId: 1, expiresAt: 1, createdAt: 1 } })
      .sort({ _id: 1 })
      .batchSize(500)
      .map((doc) => ({ id: doc._id, kind: doc.kind, roles: doc.roles ?? [], status: doc.status, createdAt: doc.createdAt, ...(doc.ownerId && { ownerId: doc.ownerId }), ...(doc.expiresAt && { expiresAt: doc.expiresAt }) }));
  }

  /** Sets the open count when the campaign opens; a count already there (a retried build) is kept. */
  async initOpenCount(reviewId: string, open: number): Promise<void> {
    try {
      await this.counts.insertOne({ _id: reviewId, open, version: 0 });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /** Lowers the open count by one (compare-and-set, retried); the count after, or undefined without a count. */
  async decrementOpen(reviewId: string): Promise<number | undefined> {
    for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt += 1) {
      const doc = await this.counts.findOne({ _id: reviewId });
      if (!doc) return undefined;
      const open = Math.max(0, doc.open - 1);
      if (await this.countClaims.write(reviewId, doc.version, { open, version: doc.version + 1 }, (claimed) => this.counts.updateOne({ _id: reviewId, version: doc.version }, { $set: claimed }))) return open;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
    throw new Error(`could not update the open count of access review ${reviewId}`);
  }
}

/**
 * Makes an item's revoke outcome take effect: every API key of the principal revoked and its roles removed, so its
 * very next request is refused (authentication reads both on every request). Idempotent: keys are revoked with the
 * instant the item closed, so a retry after a crash still reports exactly the keys this revocation revoked, and the
 * item records the revocation last, so a revocation cut short is completed by whoever settles the item next.
 * Returns the item as saved, with its `revocation`.
 */
export async function revokeAccess(
  stores: { principals: PrincipalStore; apiKeys: ApiKeyStore; evidence: EvidenceStore; accessReviews: AccessReviewStore },
  item: AccessReviewItem,
  actor: Actor,
): Promise<AccessReviewItem> {
  if (item.state.outcome !== 'revoke' || item.revocation) return item;
  const at = new Date(item.closedAt ?? item.state.decisions.at(-1)?.at ?? Date.now());
  // Checked again after revoking: on FerretDB an unguarded write racing ours (a key's last-use stamp, an admin's
  // change of roles) can write back the document as it was before, so a revocation counts only once it is seen.
  const keysRevoked = new Set<string>();
  let keysSettled = false;
  for (let pass = 0; pass < REVOCATION_PASSES && !keysSettled; pass += 1) {
    const live = [];
    for (const key of await stores.apiKeys.listFor(item.principalId)) {
      if (!key.revokedAt) live.push(key);
      else if (key.revokedAt.getTime() === at.getTime()) keysRevoked.add(key.keyId);
    }
    keysSettled = live.length === 0;
    for (const key of live) if (await stores.apiKeys.revoke(key.keyId, at)) keysRevoked.add(key.keyId);
  }
  // On a retry the roles are gone already: the roles the campaign reviewed are the ones removed.
  let rolesRemoved: string[] = item.facts.entitlements;
  for (let pass = 0; pass < REVOCATION_PASSES; pass += 1) {
    const principal = await stores.principals.get(item.principalId);
    if (!principal || principal.roles.length === 0) break;
    if (pass === 0) rolesRemoved = principal.roles;
    await stores.principals.update(item.principalId, { roles: [] as Role[] });
  }
  if (!keysSettled) throw new Error(`the keys of ${item.principalId} did not stay revoked; the revocation will be retried`);
  const revocation: Revocation = { at: at.toISOString(), cause: item.state.status === 'auto-revoked' ? 'auto-revoke' : 'decision', keysRevoked: [...keysRevoked].sort(), rolesRemoved };
  await stores.evidence.append({
    key: `${item.itemId}:revoked`,
    at,
    actor,
    action: 'access-review.revoked',
    resource: { type: 'principal', id: item.principalId },
    data: { reviewId: item.reviewId, cause: revocation.cause, keysRevoked: revocation.keysRevoked, rolesRemoved },
  });
  let current: AccessReviewItem | undefined = item;
  for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS && current; attempt += 1) {
    if (current.revocation) return current;
    const saved = await stores.accessReviews.updateItem(current, { revocation });
    if (saved) return saved;
    current = await stores.accessReviews.getItem(item.reviewId, item.principalId);
  }
  throw new Error(`could not record the revocation of ${item.itemId}`);
}

function toReview(doc: StoredReview): AccessReview {
  const { _id, ...rest } = doc;
  return { reviewId: _id, ...rest };
}

function toItem(doc: StoredItem): AccessReviewItem {
  const { _id, createdAt: _c, updatedAt: _u, ...rest } = doc;
  return { itemId: _id, ...rest };
}
