import { ObjectId, type Db, type Document, type Filter } from 'mongodb';
import type { ConsentState } from '../domain/consent';
import type { Vendor } from '../domain/vendor/types';
import type { AccessLogEntry } from '../store/access-log';
import type { ApiKey } from '../store/api-keys';
import { consentId, type ConsentEvent } from '../store/consents';
import type { PrincipalFacts } from '../store/principals';
import type { AuditScanDoc } from '../store/subjects';
import { AccessPatternCounter, inspectApiKey, inspectPrincipal } from '../domain/audit/access';
import { inspectSubject } from '../domain/audit/accuracy';
import { inspectConsentEvent, inspectConsentState } from '../domain/audit/consent-records';
import { DuplicateGrouper, type DuplicateKey, type GrouperCheckpoint } from '../domain/audit/duplicates';
import { inspectRetention, RETENTION_RULES, type RetentionRule } from '../domain/audit/retention';
import type { AuditScope, CheckId } from '../domain/audit/types';
import { inspectVendor } from '../domain/audit/vendors';
import type { Stores } from '../store';
import { BATCH_SIZE, resumeInStorageOrder, type Scan, type StoragePosition } from './audit-scan';

/**
 * Each check is one or more resumable scans over the collections it reads. Pure rules (domain/audit) decide what is
 * a finding; this file only says which records each rule sees, in which order, and where a scan resumes.
 */
export interface CheckContext {
  stores: Stores;
  db: Db;
  scope: AuditScope;
  /** The run's clock: every attempt judges records against the same instant, so a retried batch finds the same. */
  now: string;
}

/** A scan whose document and checkpoint types are its own business: the engine only passes them back to it. */
type AnyScan = Scan<unknown, unknown>;
const erase = <D, C>(scan: Scan<D, C>) => scan as unknown as AnyScan;

export function scansOf(check: CheckId, ctx: CheckContext): AnyScan[] {
  const scans: Record<CheckId, () => AnyScan[]> = {
    'data-accuracy': () => [erase(accuracyScan(ctx))],
    duplicates: () => (['email', 'phone', 'name'] as const).map((key) => erase(duplicateScan(ctx, key))),
    'consent-records': () => [erase(consentStateScan(ctx)), erase(consentEventScan(ctx))],
    access: () => [erase(principalScan(ctx)), erase(apiKeyScan(ctx)), erase(accessLogScan(ctx))],
    vendors: () => [erase(vendorScan(ctx))],
    // Verified in one streaming pass by the evidence store, not scanned here.
    'evidence-integrity': () => [],
    retention: () => RETENTION_RULES.map((rule) => erase(retentionScan(ctx, rule))),
  };
  return scans[check]();
}

/** A scan in the order of a string key, resuming after the last key inspected. */
function byKey<Doc>(name: string, key: (doc: Doc) => string, scan: Pick<Scan<Doc, string>, 'open' | 'inspect'>): Scan<Doc, string> {
  return { name, ...scan, checkpoint: key };
}

/** Subjects are the largest collection: read in storage order (no sort), resuming at a checked position. */
function accuracyScan({ stores: { subjects }, scope, now }: CheckContext): Scan<AuditScanDoc, StoragePosition> {
  let position = 0;
  return {
    name: 'data-accuracy',
    open: (from) =>
      resumeInStorageOrder((skip) => subjects.scanForAudit({ skip, countries: scope.countries, batchSize: BATCH_SIZE }), from, (at) => {
        position = at;
      }),
    inspect(batch) {
      position += batch.length;
      return batch.flatMap((doc) => inspectSubject(subjects.auditRecord(doc), { now, staleAfterMonths: scope.staleAfterMonths }));
    },
    checkpoint: (last) => ({ position, lastId: last._id }),
  };
}

const DUPLICATE_INDEX = { email: 'emailIndex', phone: 'phoneIndex', name: 'nameKeyIndex' } as const;

interface DuplicateCheckpoint {
  value: string;
  id: string;
  group: GrouperCheckpoint;
}

/** Equal blind indexes are adjacent in index order, so one streaming pass finds every group with bounded memory. */
function duplicateScan({ stores: { subjects } }: CheckContext, key: DuplicateKey): Scan<{ _id: string; value: string }, DuplicateCheckpoint> {
  let grouper = new DuplicateGrouper(key);
  return {
    name: `duplicates.${key}`,
    open(checkpoint) {
      grouper = checkpoint ? DuplicateGrouper.resume(checkpoint.group) : new DuplicateGrouper(key);
      return subjects.scanIndex(DUPLICATE_INDEX[key], { after: checkpoint && { value: checkpoint.value, id: checkpoint.id }, batchSize: BATCH_SIZE });
    },
    inspect: (batch) => batch.flatMap((doc) => grouper.push(doc.value, doc._id) ?? []),
    checkpoint: (last) => ({ value: last.value, id: last._id, group: grouper.checkpoint() }),
    finish: () => {
      const last = grouper.finish();
      return last ? [last] : [];
    },
  };
}

function consentStateScan({ stores: { consents }, now }: CheckContext) {
  return byKey<ConsentState>('consent-records.states', (state) => consentId(state.subjectId, state.purposeId), {
    open: (after) => consents.findStates({ after }),
    async inspect(batch) {
      // Only a consent the business relies on needs its grant looked up.
      const found = await Promise.all(batch.map(async (state) => inspectConsentState(state, state.status === 'active' ? await consents.event(state.grantEventId) : undefined, now)));
      return found.flat();
    },
  });
}

function consentEventScan({ stores: { consents } }: CheckContext) {
  return byKey<ConsentEvent>('consent-records.events', (event) => event.id, {
    open: (afterId) => consents.findEvents({ afterId }),
    inspect: (batch) => batch.flatMap((event) => inspectConsentEvent(event)),
  });
}

function principalScan({ stores: { principals }, now }: CheckContext) {
  // Owners are looked up one by one: most principals have none, and the directory is small next to the data.
  return byKey<PrincipalFacts>('access.principals', (p) => p.id, {
    open: (afterId) => principals.scan(afterId),
    async inspect(batch) {
      const found = await Promise.all(batch.map(async (p) => inspectPrincipal({ ...p, expiresAt: p.expiresAt?.toISOString() }, p.ownerId ? await principals.get(p.ownerId) : undefined, now)));
      return found.flat();
    },
  });
}

function apiKeyScan({ stores: { apiKeys, principals }, scope, now }: CheckContext) {
  return byKey<ApiKey>('access.api-keys', (key) => key.keyId, {
    open: (afterId) => apiKeys.scan(afterId),
    async inspect(batch) {
      const found = await Promise.all(
        batch.map(async (key) =>
          inspectApiKey(
            { keyId: key.keyId, principalId: key.principalId, createdAt: key.createdAt.toISOString(), expiresAt: key.expiresAt?.toISOString(), revokedAt: key.revokedAt?.toISOString(), lastUsedAt: key.lastUsedAt?.toISOString() },
            (await principals.get(key.principalId))?.status,
            now,
            scope.keyUnusedDays,
          ),
        ),
      );
      return found.flat();
    },
  });
}

const ACCESS_LOG_WINDOW_DAYS = 30;

/**
 * Unusual access patterns over the last 30 days. The counters span the whole window, so this scan starts over
 * after a crash (its findings are saved only at the end, so nothing is reported twice).
 */
function accessLogScan({ stores: { accessLog }, now }: CheckContext): Scan<AccessLogDoc, string> {
  let counter = new AccessPatternCounter();
  return {
    name: 'access.access-log',
    open: () => {
      counter = new AccessPatternCounter();
      return accessLog.scanSince(new Date(Date.parse(now) - ACCESS_LOG_WINDOW_DAYS * 86_400_000));
    },
    inspect: (batch) => {
      for (const entry of batch) counter.add({ ...entry, at: entry.at.toISOString() });
      return [];
    },
    checkpoint: (last) => last.id,
    finish: () => counter.findings(),
  };
}

type AccessLogDoc = Pick<AccessLogEntry, 'id' | 'at' | 'principalId' | 'method' | 'route' | 'outcome'>;

/** The register is small: read whole, in id order, resuming after the last vendor inspected. */
function vendorScan({ stores: { vendors }, now }: CheckContext) {
  return byKey<Vendor>('vendors', (vendor) => vendor.vendorId, {
    open: async function* (afterId) {
      const all = (await vendors.list()).sort((a, b) => a.vendorId.localeCompare(b.vendorId));
      yield* all.filter((vendor) => afterId === undefined || vendor.vendorId > afterId);
    },
    inspect: (batch) => batch.flatMap((vendor) => inspectVendor(vendor, now)),
  });
}

/** Which records of a collection a retention rule covers (see the rules' `appliesWhen`). */
const RETENTION_SELECTION: Readonly<Record<string, Filter<Document>>> = {
  'ended-consent': { status: { $in: ['withdrawn', 'expired', 'lapsed'] } },
  'offboarded-vendor': { status: 'offboarded' },
};

/**
 * Records of one retention rule in `_id` order; the rule decides from the record's date whether it is overdue. The
 * access log's ids are ObjectIds, so its checkpoint is kept as hex and turned back into an ObjectId to resume.
 */
function retentionScan({ db, now }: CheckContext, rule: RetentionRule) {
  const objectIds = rule.collection === 'access_log';
  return byKey<{ id: string; at: string | undefined }>(`retention.${rule.id}`, (record) => record.id, {
    open: (afterId) =>
      db
        .collection(rule.collection)
        .find({ ...RETENTION_SELECTION[rule.id], ...(afterId && { _id: { $gt: objectIds ? new ObjectId(afterId) : afterId } }) } as Filter<Document>, { projection: { _id: 1, [rule.dateField]: 1 } })
        .sort({ _id: 1 })
        .batchSize(BATCH_SIZE)
        .map((doc) => {
          const at = (doc as Record<string, unknown>)[rule.dateField];
          return { id: doc._id instanceof ObjectId ? doc._id.toHexString() : String(doc._id), at: at instanceof Date ? at.toISOString() : typeof at === 'string' ? at : undefined };
        }),
    inspect: (batch) => batch.flatMap((record) => inspectRetention(rule, record, now)),
  });
}
