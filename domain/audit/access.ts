/**
 * The access check: who can do what, with which credentials, and whether the access log shows a principal taking
 * more than its work needs. Findings name principals, keys and log entries by id; names and e-mail addresses stay in
 * the principal store.
 *
 * Instants are ISO 8601 strings with an offset; an unreadable one throws a RangeError. The stores write these dates
 * themselves, so an unreadable one is corruption that should fail the check loudly rather than hide a record.
 */
import { isInstant } from '../vendor/dates';
import type { FindingDraft, RecordType, Severity } from './types';

export type AccessRule =
  | 'privileged-principal'
  | 'principal-without-owner'
  | 'auditor-without-expiry'
  | 'expired-principal-active'
  | 'key-without-expiry'
  | 'key-unused'
  | 'key-of-disabled-principal'
  | 'bulk-export'
  | 'repeated-forbidden';

export const ACCESS_RULES: Readonly<Record<AccessRule, { severity: Severity; recommendation: string }>> = {
  // Informational: admins are needed, but an auditor wants the list of them to confirm each one is still justified.
  'privileged-principal': { severity: 'info', recommendation: 'Confirm the principal still needs the admin role; remove the role if not.' },
  'principal-without-owner': {
    severity: 'medium',
    recommendation: 'Assign an active person as owner of the system principal, or disable it if no one answers for it.',
  },
  // Auditors are usually external and engaged for one audit; without an end date their access outlives the engagement.
  'auditor-without-expiry': { severity: 'high', recommendation: 'Set an expiry on the auditor principal matching the end of the engagement.' },
  // Authentication looks at the status: an active principal keeps its access, whatever its expiry says.
  'expired-principal-active': { severity: 'high', recommendation: 'Disable the principal: its expiry has passed, yet it is still active.' },
  'key-without-expiry': { severity: 'medium', recommendation: 'Replace the key with one that expires, and revoke this one.' },
  'key-unused': { severity: 'medium', recommendation: 'Revoke the key: an unused credential is only a risk.' },
  // A disabled principal's keys are refused at authentication, but re-enabling the principal revives every one of them.
  'key-of-disabled-principal': { severity: 'high', recommendation: 'Revoke the key: its principal is disabled or gone.' },
  'bulk-export': {
    severity: 'high',
    recommendation: "Confirm with the principal's owner that the exports were needed; narrow its roles or revoke its keys if not.",
  },
  'repeated-forbidden': {
    severity: 'medium',
    recommendation: 'Find out what the principal tried to reach: a misconfigured integration, or someone probing for data.',
  },
};

function finding(rule: AccessRule, recordType: RecordType, id: string, detail?: FindingDraft['detail']): FindingDraft {
  const { severity, recommendation } = ACCESS_RULES[rule];
  return { check: 'access', rule, severity, recordType, recordIds: [id], recommendation, ...(detail && { detail }) };
}

function instantMs(value: string, field: string): number {
  if (!isInstant(value)) throw new RangeError(`${field} "${value}" is not an ISO 8601 timestamp`);
  return Date.parse(value);
}

export type PrincipalStatus = 'active' | 'disabled';

export interface PrincipalFacts {
  id: string;
  kind: 'person' | 'system';
  roles: readonly string[];
  status: PrincipalStatus;
  /** The person answerable for a system principal. */
  ownerId?: string;
  expiresAt?: string;
}

/**
 * The findings about one principal; `owner` is the principal `ownerId` names, undefined when there is none. A
 * disabled principal yields nothing: it cannot authenticate, and its keys are the subject of `inspectApiKey`.
 */
export function inspectPrincipal(principal: PrincipalFacts, owner: { status: PrincipalStatus } | undefined, now: string): FindingDraft[] {
  const nowMs = instantMs(now, 'now');
  if (principal.status !== 'active') return [];
  const findings: FindingDraft[] = [];
  const report = (rule: AccessRule, detail?: FindingDraft['detail']) => findings.push(finding(rule, 'principal', principal.id, detail));
  if (principal.roles.includes('admin')) report('privileged-principal', { role: 'admin' });
  if (principal.kind === 'system') {
    if (principal.ownerId === undefined) report('principal-without-owner', { owner: 'none' });
    else if (!owner) report('principal-without-owner', { owner: 'missing', ownerId: principal.ownerId });
    else if (owner.status !== 'active') report('principal-without-owner', { owner: owner.status, ownerId: principal.ownerId });
  }
  if (principal.expiresAt === undefined) {
    if (principal.roles.includes('auditor')) report('auditor-without-expiry', { role: 'auditor' });
  } else if (instantMs(principal.expiresAt, 'expiresAt') <= nowMs) {
    report('expired-principal-active', { expiresAt: principal.expiresAt });
  }
  return findings;
}

export interface ApiKeyFacts {
  keyId: string;
  principalId: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The findings about one API key; `principalStatus` is its principal's, undefined when it no longer exists. A revoked
 * or expired key yields nothing: it no longer authenticates. "Unused for N days" means more than N × 24 hours since
 * the last use — or, for a key never used, since its creation — so a key is given N full days before it is reported.
 */
export function inspectApiKey(key: ApiKeyFacts, principalStatus: PrincipalStatus | undefined, now: string, keyUnusedDays: number): FindingDraft[] {
  const nowMs = instantMs(now, 'now');
  if (!Number.isInteger(keyUnusedDays) || keyUnusedDays <= 0) throw new RangeError('keyUnusedDays must be a positive whole number');
  if (key.revokedAt !== undefined) return [];
  // Authentication refuses a key from the instant it expires (expiresAt <= now), so that instant ends it here too.
  if (key.expiresAt !== undefined && instantMs(key.expiresAt, 'expiresAt') <= nowMs) return [];
  const findings: FindingDraft[] = [];
  const report = (rule: AccessRule, detail: FindingDraft['detail']) => findings.push(finding(rule, 'api-key', key.keyId, detail));
  if (key.expiresAt === undefined) report('key-without-expiry', { createdAt: key.createdAt });
  const createdMs = instantMs(key.createdAt, 'createdAt');
  const lastUsedMs = key.lastUsedAt === undefined ? undefined : instantMs(key.lastUsedAt, 'lastUsedAt');
  if (nowMs - (lastUsedMs ?? createdMs) > keyUnusedDays * DAY_MS) {
    report('key-unused', key.lastUsedAt === undefined ? { neverUsed: true, createdAt: key.createdAt, days: keyUnusedDays } : { lastUsedAt: key.lastUsedAt, days: keyUnusedDays });
  }
  if (principalStatus !== 'active') report('key-of-disabled-principal', { principal: principalStatus ?? 'missing', principalId: key.principalId });
  return findings;
}

export interface AccessThresholds {
  /** Allowed exports more than this in one UTC calendar day are reported. */
  exportsPerDay: number;
  /** Forbidden requests more than this in one UTC clock hour are reported. */
  forbiddenPerHour: number;
}

export const DEFAULT_ACCESS_THRESHOLDS: Readonly<AccessThresholds> = { exportsPerDay: 20, forbiddenPerHour: 10 };

/** The fields of an access-log entry the patterns are counted from. */
export interface AccessLogFacts {
  id: string;
  principalId?: string;
  route: string;
  method: string;
  at: string;
  outcome: string;
}

/**
 * Export routes by their pattern (the log keeps route patterns, never query strings): an `export` path segment, or a
 * file download ending in `.csv` or `.jsonl`.
 */
export function isExportRoute(route: string): boolean {
  return route.split('/').includes('export') || /\.(csv|jsonl)$/.test(route);
}

interface OpenWindow {
  start: string;
  count: number;
  /** The entry that took the count over the threshold: the finding's record, stable across runs over the same log. */
  overId?: string;
}

/**
 * Counts one kind of request per principal in fixed UTC windows (calendar days or clock hours). Fixed windows rather
 * than rolling ones keep one counter per principal instead of every entry of the last 24 hours; the price is that a
 * burst straddling a window boundary is split in two, so the threshold is a per-window figure, not a rolling one.
 */
class WindowCounter {
  private readonly open = new Map<string, OpenWindow>();
  private readonly closed: FindingDraft[] = [];

  constructor(
    private readonly rule: AccessRule,
    private readonly threshold: number,
    private readonly windowLength: 'day' | 'hour',
  ) {}

  add(principalId: string, entryId: string, atMs: number): void {
    const start = windowStart(atMs, this.windowLength);
    let window = this.open.get(principalId);
    if (window && start < window.start) throw new RangeError(`access-log entry ${entryId} is earlier than the window already counted: entries must arrive in time order`);
    if (!window || start !== window.start) {
      if (window?.overId) this.closed.push(this.finding(principalId, window));
      window = { start, count: 0 };
      this.open.set(principalId, window);
    }
    window.count += 1;
    if (window.count === this.threshold + 1) window.overId = entryId;
  }

  findings(): FindingDraft[] {
    const open = [...this.open].filter(([, w]) => w.overId).map(([principalId, w]) => this.finding(principalId, w));
    return [...this.closed, ...open];
  }

  private finding(principalId: string, window: OpenWindow): FindingDraft {
    const startMs = Date.parse(window.start);
    const end = new Date(startMs + (this.windowLength === 'day' ? DAY_MS : DAY_MS / 24)).toISOString();
    return finding(this.rule, 'access-log', window.overId!, { principalId, from: window.start, to: end, count: window.count, threshold: this.threshold });
  }
}

/** The start of the UTC day or hour holding `atMs`, as an ISO string (which then sorts as time does). */
function windowStart(atMs: number, length: 'day' | 'hour'): string {
  const iso = new Date(atMs).toISOString();
  return length === 'day' ? `${iso.slice(0, 10)}T00:00:00.000Z` : `${iso.slice(0, 13)}:00:00.000Z`;
}

/**
 * Unusual access patterns over a stream of access-log entries in time order (per principal at least; the log's `at`
 * index gives it). Memory holds one open window per principal and rule, however many entries pass, plus the findings.
 *
 * - `bulk-export`: more than `exportsPerDay` allowed GET requests to export routes by one principal in one UTC day.
 *   Only allowed GETs move data out; a refused attempt is counted by the next rule.
 * - `repeated-forbidden`: more than `forbiddenPerHour` forbidden requests by one principal in one UTC hour.
 *
 * Entries without a principal (failed authentication) are skipped: nothing ties them to one principal, and the API
 * already slows them down per client address.
 */
export class AccessPatternCounter {
  private readonly exports: WindowCounter;
  private readonly forbidden: WindowCounter;

  constructor(thresholds: Partial<AccessThresholds> = {}) {
    const { exportsPerDay, forbiddenPerHour } = { ...DEFAULT_ACCESS_THRESHOLDS, ...thresholds };
    for (const [name, value] of Object.entries({ exportsPerDay, forbiddenPerHour })) {
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number, 0 or more`);
    }
    this.exports = new WindowCounter('bulk-export', exportsPerDay, 'day');
    this.forbidden = new WindowCounter('repeated-forbidden', forbiddenPerHour, 'hour');
  }

  add(entry: AccessLogFacts): void {
    const atMs = instantMs(entry.at, 'at');
    if (entry.principalId === undefined) return;
    if (entry.outcome === 'allowed' && entry.method === 'GET' && isExportRoute(entry.route)) this.exports.add(entry.principalId, entry.id, atMs);
    if (entry.outcome === 'forbidden') this.forbidden.add(entry.principalId, entry.id, atMs);
  }

  /** Every window over its threshold so far, the open ones included; by window start, then principal, then rule. */
  findings(): FindingDraft[] {
    const order = (f: FindingDraft) => [String(f.detail!.from), String(f.detail!.principalId), f.rule];
    return [...this.exports.findings(), ...this.forbidden.findings()].sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      const i = x.findIndex((v, n) => v !== y[n]);
      return i < 0 ? 0 : x[i] < y[i] ? -1 : 1;
    });
  }
}
