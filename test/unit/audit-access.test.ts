import {
  ACCESS_RULES,
  AccessPatternCounter,
  DEFAULT_ACCESS_THRESHOLDS,
  inspectApiKey,
  inspectPrincipal,
  isExportRoute,
  type AccessLogFacts,
  type ApiKeyFacts,
  type PrincipalFacts,
} from '../../domain/audit/access';
import type { FindingDraft } from '../../domain/audit/types';

const NOW = '2026-03-15T12:00:00.000Z';
const rules = (findings: FindingDraft[]) => findings.map((f) => f.rule);

const principal = (over: Partial<PrincipalFacts> = {}): PrincipalFacts => ({ id: 'prn_1', kind: 'person', roles: ['staff'], status: 'active', ...over });
const ACTIVE = { status: 'active' as const };

describe('inspectPrincipal', () => {
  it('finds nothing wrong with an active person with ordinary roles', () => {
    expect(inspectPrincipal(principal(), undefined, NOW)).toEqual([]);
  });

  it('lists admins as privileged, for information', () => {
    expect(inspectPrincipal(principal({ roles: ['staff', 'admin'] }), undefined, NOW)).toEqual([
      {
        check: 'access',
        rule: 'privileged-principal',
        severity: 'info',
        recordType: 'principal',
        recordIds: ['prn_1'],
        recommendation: ACCESS_RULES['privileged-principal'].recommendation,
        detail: { role: 'admin' },
      },
    ]);
  });

  it.each([
    ['no owner recorded', undefined, undefined, { owner: 'none' }],
    ['an owner that no longer exists', 'prn_gone', undefined, { owner: 'missing', ownerId: 'prn_gone' }],
    ['a disabled owner', 'prn_left', { status: 'disabled' as const }, { owner: 'disabled', ownerId: 'prn_left' }],
  ])('reports a system principal with %s', (_label, ownerId, owner, detail) => {
    const [finding] = inspectPrincipal(principal({ kind: 'system', roles: ['system'], ownerId }), owner, NOW);
    expect(finding).toMatchObject({ rule: 'principal-without-owner', severity: 'medium', recordType: 'principal', recordIds: ['prn_1'], detail });
  });

  it('accepts a system principal with an active owner', () => {
    expect(inspectPrincipal(principal({ kind: 'system', roles: ['system'], ownerId: 'prn_2' }), ACTIVE, NOW)).toEqual([]);
  });

  it('does not ask a person for an owner', () => {
    expect(inspectPrincipal(principal({ kind: 'person' }), undefined, NOW)).toEqual([]);
  });

  it('reports an auditor without an expiry as high', () => {
    const findings = inspectPrincipal(principal({ roles: ['auditor'] }), undefined, NOW);
    expect(findings).toEqual([expect.objectContaining({ rule: 'auditor-without-expiry', severity: 'high', detail: { role: 'auditor' } })]);
  });

  it('accepts an auditor whose access ends in the future', () => {
    expect(inspectPrincipal(principal({ roles: ['auditor'], expiresAt: '2026-03-15T12:00:00.001Z' }), undefined, NOW)).toEqual([]);
  });

  it.each([
    ['at the expiry instant', '2026-03-15T12:00:00.000Z'],
    ['a millisecond after', '2026-03-15T11:59:59.999Z'],
    ['the same instant written with an offset', '2026-03-15T13:00:00.000+01:00'],
    ['long ago (29 February 2024)', '2024-02-29T00:00:00.000Z'],
  ])('reports an active principal whose expiry has passed: %s', (_label, expiresAt) => {
    const findings = inspectPrincipal(principal({ roles: ['auditor'], expiresAt }), undefined, NOW);
    expect(findings).toEqual([expect.objectContaining({ rule: 'expired-principal-active', severity: 'high', detail: { expiresAt } })]);
  });

  it('reports every rule that applies, in a fixed order', () => {
    const p = principal({ kind: 'system', roles: ['admin', 'auditor'] });
    expect(rules(inspectPrincipal(p, undefined, NOW))).toEqual(['privileged-principal', 'principal-without-owner', 'auditor-without-expiry']);
  });

  it('reports nothing about a disabled principal, however it is set up', () => {
    const p = principal({ kind: 'system', roles: ['admin', 'auditor'], status: 'disabled', expiresAt: '2020-01-01T00:00:00.000Z' });
    expect(inspectPrincipal(p, undefined, NOW)).toEqual([]);
  });

  it('keeps names and e-mail addresses out of its findings even when given them', () => {
    const p = { ...principal({ kind: 'system', roles: ['admin', 'auditor'] }), name: 'Ada Lovelace', email: 'ada@example.com' };
    const text = JSON.stringify(inspectPrincipal(p, undefined, NOW));
    expect(text).not.toMatch(/Ada|example\.com/);
  });

  it.each([
    ['now', principal(), 'yesterday'],
    ['now without an offset', principal(), '2026-03-15T12:00:00'],
    ['expiresAt', principal({ expiresAt: '2026-02-30T00:00:00Z' }), NOW],
    ['a bare date as expiresAt', principal({ expiresAt: '2026-04-01' }), NOW],
  ])('throws a RangeError for an unreadable %s', (_label, p, now) => {
    expect(() => inspectPrincipal(p, undefined, now)).toThrow(RangeError);
  });
});

const key = (over: Partial<ApiKeyFacts> = {}): ApiKeyFacts => ({
  keyId: 'key_1',
  principalId: 'prn_1',
  createdAt: '2026-03-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  lastUsedAt: '2026-03-15T11:00:00.000Z',
  ...over,
});

describe('inspectApiKey', () => {
  it('finds nothing wrong with a recently used, expiring key of an active principal', () => {
    expect(inspectApiKey(key(), 'active', NOW, 90)).toEqual([]);
  });

  it('reports a key without expiry as medium', () => {
    expect(inspectApiKey(key({ expiresAt: undefined }), 'active', NOW, 90)).toEqual([
      {
        check: 'access',
        rule: 'key-without-expiry',
        severity: 'medium',
        recordType: 'api-key',
        recordIds: ['key_1'],
        recommendation: ACCESS_RULES['key-without-expiry'].recommendation,
        detail: { createdAt: '2026-03-01T00:00:00.000Z' },
      },
    ]);
  });

  // 90 days before 2026-03-15T12:00Z is 2025-12-15T12:00Z (no daylight saving in UTC).
  it.each([
    ['exactly 90 days ago', '2025-12-15T12:00:00.000Z', false],
    ['90 days and a millisecond ago', '2025-12-15T11:59:59.999Z', true],
    ['89 days ago', '2025-12-16T12:00:00.000Z', false],
    ['a year ago', '2025-03-15T12:00:00.000Z', true],
  ])('last used %s: unused %s', (_label, lastUsedAt, unused) => {
    const findings = inspectApiKey(key({ createdAt: '2025-01-01T00:00:00.000Z', lastUsedAt }), 'active', NOW, 90);
    expect(findings).toEqual(unused ? [expect.objectContaining({ rule: 'key-unused', severity: 'medium', detail: { lastUsedAt, days: 90 } })] : []);
  });

  it.each([
    ['exactly 90 days ago', '2025-12-15T12:00:00.000Z', false],
    ['90 days and a millisecond ago', '2025-12-15T11:59:59.999Z', true],
  ])('never used, created %s: unused %s', (_label, createdAt, unused) => {
    const findings = inspectApiKey(key({ createdAt, lastUsedAt: undefined }), 'active', NOW, 90);
    expect(findings).toEqual(unused ? [expect.objectContaining({ rule: 'key-unused', detail: { neverUsed: true, createdAt, days: 90 } })] : []);
  });

  it('counts a one-day threshold across a leap day', () => {
    // From 28 February to 1 March 2028 is two days: 29 February exists.
    const k = (lastUsedAt: string) => key({ createdAt: '2028-01-01T00:00:00.000Z', expiresAt: '2029-01-01T00:00:00.000Z', lastUsedAt });
    expect(rules(inspectApiKey(k('2028-02-28T12:00:00.000Z'), 'active', '2028-03-01T12:00:00.000Z', 1))).toEqual(['key-unused']);
    expect(rules(inspectApiKey(k('2028-02-29T12:00:00.000Z'), 'active', '2028-03-01T12:00:00.000Z', 1))).toEqual([]);
  });

  it.each([
    ['disabled', 'disabled' as const, { principal: 'disabled', principalId: 'prn_1' }],
    ['missing', undefined, { principal: 'missing', principalId: 'prn_1' }],
  ])('reports an active key whose principal is %s as high', (_label, status, detail) => {
    expect(inspectApiKey(key(), status, NOW, 90)).toEqual([expect.objectContaining({ rule: 'key-of-disabled-principal', severity: 'high', recordIds: ['key_1'], detail })]);
  });

  it('reports every rule that applies to one key, in a fixed order', () => {
    const k = key({ expiresAt: undefined, lastUsedAt: undefined, createdAt: '2025-01-01T00:00:00.000Z' });
    expect(rules(inspectApiKey(k, 'disabled', NOW, 90))).toEqual(['key-without-expiry', 'key-unused', 'key-of-disabled-principal']);
  });

  it('reports nothing about a revoked key', () => {
    const k = key({ revokedAt: '2026-03-01T00:00:00.000Z', expiresAt: undefined, lastUsedAt: undefined, createdAt: '2020-01-01T00:00:00.000Z' });
    expect(inspectApiKey(k, undefined, NOW, 90)).toEqual([]);
  });

  it.each([
    ['at its expiry instant', NOW, []],
    ['a millisecond before its expiry', '2026-03-15T12:00:00.001Z', ['key-unused', 'key-of-disabled-principal']],
    ['long expired', '2025-01-01T00:00:00.000Z', []],
  ])('a key %s', (_label, expiresAt, expected) => {
    const k = key({ expiresAt, lastUsedAt: undefined, createdAt: '2020-01-01T00:00:00.000Z' });
    expect(rules(inspectApiKey(k, 'disabled', NOW, 90))).toEqual(expected);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s unused days', (days) => {
    expect(() => inspectApiKey(key(), 'active', NOW, days)).toThrow(RangeError);
  });

  it.each([
    ['now', key(), 'now'],
    ['createdAt of a key never used', key({ createdAt: 'March', lastUsedAt: undefined }), NOW],
    ['createdAt of a key in use', key({ createdAt: '2026-03-01' }), NOW],
    ['lastUsedAt', key({ lastUsedAt: '2026-13-01T00:00:00Z' }), NOW],
    ['expiresAt', key({ expiresAt: 'never' }), NOW],
  ])('throws a RangeError for an unreadable %s', (_label, k, now) => {
    expect(() => inspectApiKey(k, 'active', now, 90)).toThrow(RangeError);
  });
});

describe('isExportRoute', () => {
  it.each([
    ['/consents/export', true],
    ['/evidence/export', true],
    ['/audits/:runId/export/:format', true],
    ['/audits/:runId/report.csv', true],
    ['/audits/:runId/findings.jsonl', true],
    ['/consents/exports', false],
    ['/exporters', false],
    ['/consents/stats', false],
    ['/audits/:runId/report.html', false],
    ['/report.csv.bak', false],
    ['', false],
  ])('%s: %s', (route, expected) => {
    expect(isExportRoute(route)).toBe(expected);
  });
});

let seq = 0;
const entry = (over: Partial<AccessLogFacts> = {}): AccessLogFacts => ({
  id: `log_${String((seq += 1)).padStart(4, '0')}`,
  principalId: 'prn_1',
  route: '/consents/export',
  method: 'GET',
  at: '2026-03-15T10:00:00.000Z',
  outcome: 'allowed',
  ...over,
});

/** `n` entries a second apart from `from`. */
const burst = (n: number, from: string, over: Partial<AccessLogFacts> = {}): AccessLogFacts[] =>
  Array.from({ length: n }, (_, i) => entry({ at: new Date(Date.parse(from) + i * 1000).toISOString(), ...over }));

const count = (entries: AccessLogFacts[], thresholds?: ConstructorParameters<typeof AccessPatternCounter>[0]) => {
  const counter = new AccessPatternCounter(thresholds);
  for (const e of entries) counter.add(e);
  return counter.findings();
};

describe('AccessPatternCounter', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('defaults to 20 exports a day and 10 forbidden requests an hour', () => {
    expect(DEFAULT_ACCESS_THRESHOLDS).toEqual({ exportsPerDay: 20, forbiddenPerHour: 10 });
  });

  it('finds nothing in an empty log', () => {
    expect(new AccessPatternCounter().findings()).toEqual([]);
  });

  it('allows exactly the threshold of exports in a day', () => {
    expect(count(burst(20, '2026-03-15T00:00:00.000Z'))).toEqual([]);
  });

  it('reports one more export than the threshold, naming the entry that went over', () => {
    const entries = burst(21, '2026-03-15T00:00:00.000Z');
    expect(count(entries)).toEqual([
      {
        check: 'access',
        rule: 'bulk-export',
        severity: 'high',
        recordType: 'access-log',
        recordIds: [entries[20].id],
        recommendation: ACCESS_RULES['bulk-export'].recommendation,
        detail: { principalId: 'prn_1', from: '2026-03-15T00:00:00.000Z', to: '2026-03-16T00:00:00.000Z', count: 21, threshold: 20 },
      },
    ]);
  });

  it('counts the whole day, not just up to the threshold', () => {
    expect(count(burst(35, '2026-03-15T08:00:00.000Z'))[0].detail).toMatchObject({ count: 35 });
  });

  it('splits at midnight UTC: 20 before and 20 after is no finding', () => {
    expect(count([...burst(20, '2026-03-14T23:59:40.000Z'), ...burst(20, '2026-03-15T00:00:00.000Z')])).toEqual([]);
  });

  it('puts 23:59:59.999 in its own day and 00:00:00.000 in the next', () => {
    const late = burst(20, '2026-03-15T00:00:00.000Z');
    const edge = entry({ at: '2026-03-15T23:59:59.999Z' });
    const next = entry({ at: '2026-03-16T00:00:00.000Z' });
    const findings = count([...late, edge, next]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ recordIds: [edge.id], detail: { from: '2026-03-15T00:00:00.000Z', count: 21 } });
  });

  it('counts days in UTC, whatever offset the entries carry', () => {
    // 01:30 at +02:00 is 23:30 UTC the day before: all 21 fall on 14 March UTC.
    const entries = burst(21, '2026-03-14T23:00:00.000Z').map((e, i) => (i === 20 ? { ...e, at: '2026-03-15T01:30:00.000+02:00' } : e));
    expect(count(entries)[0].detail).toMatchObject({ from: '2026-03-14T00:00:00.000Z', to: '2026-03-15T00:00:00.000Z', count: 21 });
  });

  it.each([
    ['28 February 2028 (a leap year)', '2028-02-28T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['29 February 2028', '2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['28 February 2026', '2026-02-28T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['31 December', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ])('a day window on %s ends at the next midnight', (_label, from, to) => {
    expect(count(burst(21, from))[0].detail).toMatchObject({ from, to });
  });

  it('reports each day over the threshold, closed ones and the open one', () => {
    const findings = count([...burst(21, '2026-03-13T09:00:00.000Z'), ...burst(5, '2026-03-14T09:00:00.000Z'), ...burst(22, '2026-03-15T09:00:00.000Z')]);
    expect(findings.map((f) => [f.detail?.from, f.detail?.count])).toEqual([
      ['2026-03-13T00:00:00.000Z', 21],
      ['2026-03-15T00:00:00.000Z', 22],
    ]);
  });

  it('counts each principal on its own', () => {
    const a = burst(15, '2026-03-15T09:00:00.000Z', { principalId: 'prn_a' });
    const b = burst(15, '2026-03-15T09:00:00.000Z', { principalId: 'prn_b' });
    expect(count([...a, ...b])).toEqual([]);
  });

  it('counts only allowed GET requests to export routes', () => {
    const entries = [
      ...burst(20, '2026-03-15T09:00:00.000Z'),
      entry({ at: '2026-03-15T10:00:00.000Z', outcome: 'forbidden' }),
      entry({ at: '2026-03-15T10:00:01.000Z', outcome: 'failed' }),
      entry({ at: '2026-03-15T10:00:02.000Z', method: 'HEAD' }),
      entry({ at: '2026-03-15T10:00:03.000Z', method: 'POST' }),
      entry({ at: '2026-03-15T10:00:04.000Z', route: '/consents/stats' }),
    ];
    expect(rules(count(entries))).toEqual([]);
    expect(rules(count([...entries, entry({ at: '2026-03-15T11:00:00.000Z', route: '/audits/:runId/report.csv' })]))).toEqual(['bulk-export']);
  });

  it('skips entries without a principal', () => {
    expect(count(burst(50, '2026-03-15T09:00:00.000Z', { principalId: undefined, outcome: 'forbidden' }))).toEqual([]);
  });

  it('allows exactly the threshold of forbidden requests in an hour', () => {
    expect(count(burst(10, '2026-03-15T10:00:00.000Z', { outcome: 'forbidden', route: '/principals' }))).toEqual([]);
  });

  it('reports one more forbidden request than the threshold in a clock hour', () => {
    const entries = burst(11, '2026-03-15T10:59:49.000Z', { outcome: 'forbidden', route: '/principals' });
    expect(count(entries)).toEqual([
      {
        check: 'access',
        rule: 'repeated-forbidden',
        severity: 'medium',
        recordType: 'access-log',
        recordIds: [entries[10].id],
        recommendation: ACCESS_RULES['repeated-forbidden'].recommendation,
        detail: { principalId: 'prn_1', from: '2026-03-15T10:00:00.000Z', to: '2026-03-15T11:00:00.000Z', count: 11, threshold: 10 },
      },
    ]);
  });

  it('splits at the top of the hour: 10:59:59.999 and 11:00:00.000 fall in different hours', () => {
    const before = burst(10, '2026-03-15T10:30:00.000Z', { outcome: 'forbidden' });
    const edge = entry({ at: '2026-03-15T10:59:59.999Z', outcome: 'forbidden' });
    const after = entry({ at: '2026-03-15T11:00:00.000Z', outcome: 'forbidden' });
    expect(count([...before.slice(0, 9), edge, after])).toEqual([]);
    expect(count([...before, edge, after]).map((f) => f.detail?.from)).toEqual(['2026-03-15T10:00:00.000Z']);
  });

  it('reports the hour across midnight at the end of February in a leap year', () => {
    const entries = burst(11, '2028-02-29T23:00:00.000Z', { outcome: 'forbidden' });
    expect(count(entries)[0].detail).toMatchObject({ from: '2028-02-29T23:00:00.000Z', to: '2028-03-01T00:00:00.000Z' });
  });

  it('sorts findings by window start, then principal, then rule', () => {
    const entries = [
      ...burst(11, '2026-03-15T09:00:00.000Z', { principalId: 'prn_b', outcome: 'forbidden' }),
      ...burst(11, '2026-03-15T09:10:00.000Z', { principalId: 'prn_a', outcome: 'forbidden' }),
      ...burst(21, '2026-03-15T10:00:00.000Z', { principalId: 'prn_a' }),
    ];
    expect(count(entries).map((f) => [f.detail?.from, f.detail?.principalId, f.rule])).toEqual([
      ['2026-03-15T00:00:00.000Z', 'prn_a', 'bulk-export'],
      ['2026-03-15T09:00:00.000Z', 'prn_a', 'repeated-forbidden'],
      ['2026-03-15T09:00:00.000Z', 'prn_b', 'repeated-forbidden'],
    ]);
  });

  it('takes other thresholds, including 0 (any occurrence is reported)', () => {
    expect(rules(count([entry()], { exportsPerDay: 0 }))).toEqual(['bulk-export']);
    expect(rules(count(burst(3, '2026-03-15T10:00:00.000Z', { outcome: 'forbidden' }), { forbiddenPerHour: 2 }))).toEqual(['repeated-forbidden']);
    expect(count(burst(21, '2026-03-15T00:00:00.000Z'), { exportsPerDay: 21 })).toEqual([]);
  });

  it.each([{ exportsPerDay: -1 }, { forbiddenPerHour: 1.5 }, { exportsPerDay: Number.NaN }])('refuses thresholds %j', (thresholds) => {
    expect(() => new AccessPatternCounter(thresholds)).toThrow(RangeError);
  });

  it('refuses an entry earlier than the window it has moved past', () => {
    const counter = new AccessPatternCounter();
    counter.add(entry({ at: '2026-03-15T00:00:00.000Z' }));
    expect(() => counter.add(entry({ at: '2026-03-14T23:59:59.999Z' }))).toThrow(/time order/);
  });

  it('accepts entries out of order within one window', () => {
    const entries = burst(21, '2026-03-15T00:00:00.000Z').reverse();
    expect(count(entries)[0].detail).toMatchObject({ count: 21 });
  });

  it('refuses an unreadable time', () => {
    expect(() => new AccessPatternCounter().add(entry({ at: '15/03/2026' }))).toThrow(RangeError);
  });

  it('keeps one open window per principal whatever the number of entries', () => {
    const counter = new AccessPatternCounter();
    for (let day = 0; day < 400; day += 1) for (const e of burst(3, new Date(Date.UTC(2026, 0, 1 + day)).toISOString())) counter.add(e);
    const open = (counter as unknown as { exports: { open: Map<string, unknown> } }).exports.open;
    expect(open.size).toBe(1);
    expect(counter.findings()).toEqual([]);
  });

  it('returns the same findings when asked twice', () => {
    const counter = new AccessPatternCounter();
    for (const e of burst(21, '2026-03-15T00:00:00.000Z')) counter.add(e);
    expect(counter.findings()).toEqual(counter.findings());
  });
});
