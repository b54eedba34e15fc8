import { CONSENT_RECORD_RULES, inspectConsentEvent, inspectConsentState, type ConsentEventFacts } from '../../domain/audit/consent-records';
import type { FindingDraft } from '../../domain/audit/types';
import type { CaptureMethod, ConsentEventType, ConsentState, ConsentStatus, LawfulBasis } from '../../domain/consent';

const NOW = '2026-03-15T12:00:00.000Z';
const rules = (findings: FindingDraft[]) => findings.map((f) => f.rule);

const state = (over: Partial<ConsentState> = {}): ConsentState => ({
  subjectId: 'sub_1',
  purposeId: 'pur_news',
  status: 'active',
  cycle: 1,
  consentType: 'express',
  grantEventId: 'evt_grant',
  grantedAt: '2026-01-10T09:00:00.000Z',
  noticeVersionId: 'ntc_1',
  method: 'form',
  schedule: { expiresAt: '2027-01-10T09:00:00.000Z', renewalAt: null, reminderAts: [] },
  lastEventId: 'evt_grant',
  updatedAt: '2026-01-10T09:00:00.000Z',
  ...over,
});

const grant = (over: Partial<Pick<ConsentEventFacts, 'id' | 'subjectId' | 'purposeId' | 'type'>> = {}) => ({
  id: 'evt_grant',
  subjectId: 'sub_1',
  purposeId: 'pur_news',
  type: 'granted' as ConsentEventType,
  ...over,
});

describe('inspectConsentState', () => {
  it('finds nothing wrong with an active consent backed by its grant', () => {
    expect(inspectConsentState(state(), grant(), NOW)).toEqual([]);
  });

  it.each(['granted', 'renewed', 'confirmed'] as ConsentEventType[])('accepts a %s event as the grant', (type) => {
    expect(inspectConsentState(state(), grant({ type }), NOW)).toEqual([]);
  });

  it('reports an active consent whose grant event is missing, as high, keyed subject:purpose', () => {
    expect(inspectConsentState(state(), undefined, NOW)).toEqual([
      {
        check: 'consent-records',
        rule: 'active-without-grant',
        severity: 'high',
        recordType: 'consent',
        recordIds: ['sub_1:pur_news'],
        recommendation: CONSENT_RECORD_RULES['active-without-grant'].recommendation,
        detail: { problem: 'grant-event-missing', grantEventId: 'evt_grant' },
      },
    ]);
  });

  it.each(['requested', 'withdrawn', 'expired', 'lapsed', 'policy-applied'] as ConsentEventType[])('reports an active consent whose grant event is a %s event', (type) => {
    const [finding] = inspectConsentState(state(), grant({ type }), NOW);
    expect(finding).toMatchObject({ rule: 'active-without-grant', detail: { problem: `grant-event-is-${type}` } });
  });

  it.each([
    ['another subject', { subjectId: 'sub_2' }],
    ['another purpose', { purposeId: 'pur_ads' }],
    ['another id', { id: 'evt_other' }],
  ])('reports an active consent whose grant event belongs to %s', (_label, over) => {
    const [finding] = inspectConsentState(state(), grant(over), NOW);
    expect(finding).toMatchObject({ rule: 'active-without-grant', detail: { problem: 'grant-event-of-another-consent' } });
  });

  it.each([
    ['a millisecond before expiry', '2026-03-15T12:00:00.001Z', []],
    ['at the expiry instant', NOW, ['expired-still-active']],
    ['the expiry instant written with an offset', '2026-03-15T07:00:00.000-05:00', ['expired-still-active']],
    ['a millisecond after expiry', '2026-03-15T11:59:59.999Z', ['expired-still-active']],
    ['no expiry (valid until withdrawn)', null, []],
  ])('an active consent %s', (_label, expiresAt, expected) => {
    expect(rules(inspectConsentState(state({ schedule: { expiresAt, renewalAt: null, reminderAts: [] } }), grant(), NOW))).toEqual(expected);
  });

  it('names the expiry in the finding, as high', () => {
    const s = state({ schedule: { expiresAt: '2024-02-29T00:00:00.000Z', renewalAt: null, reminderAts: [] } });
    expect(inspectConsentState(s, grant(), NOW)).toEqual([expect.objectContaining({ rule: 'expired-still-active', severity: 'high', detail: { expiresAt: '2024-02-29T00:00:00.000Z' } })]);
  });

  it('reports both a missing grant and a passed expiry', () => {
    expect(rules(inspectConsentState(state({ schedule: { expiresAt: '2026-01-01T00:00:00.000Z', renewalAt: null, reminderAts: [] } }), undefined, NOW))).toEqual([
      'active-without-grant',
      'expired-still-active',
    ]);
  });

  it.each([
    ['a millisecond before the deadline', '2026-03-15T12:00:00.001Z', []],
    ['at the deadline', NOW, []],
    ['a millisecond after the deadline', '2026-03-15T11:59:59.999Z', ['pending-past-confirmation']],
  ])('a pending request checked %s', (_label, confirmBy, expected) => {
    expect(rules(inspectConsentState(state({ status: 'pending-confirmation', grantEventId: 'evt_req', confirmBy }), undefined, NOW))).toEqual(expected);
  });

  it('reports a pending request past its deadline as medium, naming the deadline', () => {
    const s = state({ status: 'pending-confirmation', confirmBy: '2026-02-28T23:59:59.999Z' });
    expect(inspectConsentState(s, undefined, NOW)).toEqual([expect.objectContaining({ severity: 'medium', recordIds: ['sub_1:pur_news'], detail: { confirmBy: '2026-02-28T23:59:59.999Z' } })]);
  });

  it('accepts a pending request without a deadline, and needs no grant for it', () => {
    expect(inspectConsentState(state({ status: 'pending-confirmation' }), undefined, NOW)).toEqual([]);
  });

  it.each(['withdrawn', 'expired', 'lapsed'] as ConsentStatus[])('reports nothing about a %s consent, whatever its dates', (status) => {
    const s = state({ status, endedAt: '2026-02-01T00:00:00.000Z', confirmBy: '2026-01-01T00:00:00.000Z', schedule: { expiresAt: '2026-01-01T00:00:00.000Z', renewalAt: null, reminderAts: [] } });
    expect(inspectConsentState(s, undefined, NOW)).toEqual([]);
  });

  it.each([
    ['now', state(), 'today'],
    ['schedule.expiresAt', state({ schedule: { expiresAt: 'next year', renewalAt: null, reminderAts: [] } }), NOW],
    ['confirmBy', state({ status: 'pending-confirmation', confirmBy: '2026-02-30T00:00:00Z' }), NOW],
  ])('throws a RangeError for an unreadable %s', (_label, s, now) => {
    expect(() => inspectConsentState(s, grant(), now)).toThrow(RangeError);
  });
});

const event = (over: Partial<ConsentEventFacts> = {}): ConsentEventFacts => ({
  id: 'evt_1',
  subjectId: 'sub_1',
  purposeId: 'pur_news',
  type: 'granted',
  lawfulBasis: 'consent',
  noticeVersionId: 'ntc_1',
  noticeTextHash: 'a'.repeat(64),
  method: 'form',
  proof: { element: 'newsletter-checkbox', preTicked: false, action: 'ticked' },
  ...over,
});

describe('inspectConsentEvent', () => {
  it.each(['form', 'checkbox', 'preference-centre'] as CaptureMethod[])('accepts a %s grant with notice and unticked proof', (method) => {
    expect(inspectConsentEvent(event({ method }))).toEqual([]);
  });

  it('reports a grant without proof as high', () => {
    expect(inspectConsentEvent(event({ proof: undefined }))).toEqual([
      {
        check: 'consent-records',
        rule: 'missing-proof',
        severity: 'high',
        recordType: 'consent-event',
        recordIds: ['evt_1'],
        recommendation: CONSENT_RECORD_RULES['missing-proof'].recommendation,
        detail: { problems: 'no-proof', method: 'form' },
      },
    ]);
  });

  it.each([
    ['pre-ticked', { proof: { element: 'box', preTicked: true, action: 'submitted' } }, 'pre-ticked'],
    ['not saying whether it was pre-ticked', { proof: { element: 'box', action: 'submitted' } }, 'pre-ticked'],
    ['without the notice text hash', { noticeTextHash: undefined }, 'no-notice-text-hash'],
    ['with an empty notice text hash', { noticeTextHash: '' }, 'no-notice-text-hash'],
    ['without the notice version', { noticeVersionId: undefined }, 'no-notice-version'],
    ['missing everything', { proof: undefined, noticeTextHash: undefined, noticeVersionId: undefined }, 'no-proof no-notice-text-hash no-notice-version'],
  ])('reports a grant %s', (_label, over, problems) => {
    expect(inspectConsentEvent(event(over as Partial<ConsentEventFacts>))).toEqual([expect.objectContaining({ rule: 'missing-proof', detail: { problems, method: 'form' } })]);
  });

  it.each(['renewed', 'confirmed'] as ConsentEventType[])('holds a %s event to the same proof', (type) => {
    expect(rules(inspectConsentEvent(event({ type, proof: undefined })))).toEqual(['missing-proof']);
  });

  it.each(['requested', 'withdrawn', 'expired', 'lapsed', 'policy-applied'] as ConsentEventType[])('asks no proof of a %s event', (type) => {
    expect(inspectConsentEvent(event({ type, proof: undefined, noticeTextHash: undefined, method: 'api', source: undefined }))).toEqual([]);
  });

  it.each(['contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'] as LawfulBasis[])('asks no proof of agreement on the %s basis', (lawfulBasis) => {
    expect(inspectConsentEvent(event({ lawfulBasis, proof: undefined }))).toEqual([]);
  });

  it.each([
    ['import', { importId: 'imp_1' }],
    ['api', { formId: 'signup' }],
    ['api', { url: 'https://example.com/signup' }],
    ['import', { importId: 'imp_1', line: 12 }],
  ])('accepts an %s grant naming its source %j, without proof', (method, source) => {
    expect(inspectConsentEvent(event({ method: method as CaptureMethod, source, proof: undefined }))).toEqual([]);
  });

  it.each([
    ['import', undefined],
    ['api', undefined],
    ['api', {}],
    ['import', { importId: '' }],
  ])('reports an %s grant with source %j as medium', (method, source) => {
    expect(inspectConsentEvent(event({ method: method as CaptureMethod, source }))).toEqual([
      {
        check: 'consent-records',
        rule: 'missing-source',
        severity: 'medium',
        recordType: 'consent-event',
        recordIds: ['evt_1'],
        recommendation: CONSENT_RECORD_RULES['missing-source'].recommendation,
        detail: { method },
      },
    ]);
  });

  it('does not ask an interactive capture for a source', () => {
    expect(inspectConsentEvent(event({ source: undefined }))).toEqual([]);
  });

  it('keeps the IP address and user agent out of its findings', () => {
    const withPii = { ...event({ proof: undefined }), ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0' };
    expect(JSON.stringify(inspectConsentEvent(withPii))).not.toMatch(/203\.0\.113|Mozilla/);
  });
});
