import { draftFor, draftsFor, type NoticeDraft } from '../../domain/breach/drafts';
import { computeObligations } from '../../domain/breach/engine';
import { DEFAULT_LADDER } from '../../domain/breach/escalation';
import { initialState, type Contact, type IncidentState, type ObligationStatus, type TrackedObligation } from '../../domain/breach/incident';
import { BREACH_RULES } from '../../domain/breach/pack';
import type { IncidentFacts } from '../../domain/breach/types';

const AWARE = '2026-06-01T10:00:00.000Z';
const OCCURRED = '2026-05-30T08:00:00.000Z';
const NOW = '2026-06-02T10:00:00.000Z';

const GDPR_33 = ['Nature of the breach', 'Categories of personal data concerned', 'Approximate number of people concerned', 'Contact point for more information (DPO)', 'Likely consequences', 'Measures taken or proposed, including mitigation'];
const GDPR_34 = ['Nature of the breach', 'Contact point for more information (DPO)', 'Likely consequences', 'Measures taken or proposed, including mitigation', 'What the people concerned can do to protect themselves'];
const HIPAA = ['Nature of the breach', 'Dates of the breach and of its discovery', 'Categories of personal data concerned', 'What the people concerned can do to protect themselves', 'Measures taken or proposed, including mitigation', 'Contact point for more information (DPO)'];
const GENERAL = [
  'Nature of the breach',
  'Categories of personal data concerned',
  'Approximate number of people concerned',
  'Dates of the breach and of its discovery',
  'Likely consequences',
  'Measures taken or proposed, including mitigation',
  'What the people concerned can do to protect themselves',
  'Contact point for more information (DPO)',
];

interface Setup {
  affected?: Record<string, number>;
  dataCategories?: string[];
  flags?: string[];
  anchors?: IncidentFacts['anchors'];
  contacts?: Contact[];
  consequences?: string;
  measures?: string[];
}

/** An incident after its assessment, with the obligations the real rules pack gives for its facts. */
function incident(setup: Setup = {}): IncidentState {
  const facts: IncidentFacts = {
    anchors: setup.anchors ?? { awareness: AWARE, discovery: AWARE, determination: AWARE },
    submissions: {},
    affected: setup.affected ?? { DE: 1200, FR: 300 },
    dataCategories: setup.dataCategories ?? ['contact', 'government-id'],
    encryption: 'none',
    risk: 'high',
    flags: setup.flags ?? ['controller'],
    entity: { zone: 'Europe/Berlin', calendar: 'weekends' },
  };
  const state = initialState({
    incidentId: 'inc_drafts0001',
    title: 'Customer database exposed',
    description: 'A misconfigured bucket exposed a customer export.',
    reportedBy: { id: 'prn_responder', type: 'person' },
    reportedAt: AWARE,
    systems: ['crm'],
    facts,
    contacts: setup.contacts ?? [
      { role: 'owner', email: 'owner@example.org' },
      { role: 'dpo', email: 'dpo@example.org' },
    ],
    ladder: DEFAULT_LADDER,
    asapTargetHours: 72,
    reviewWithinDays: 30,
  });
  const { obligations } = computeObligations(BREACH_RULES, facts, { now: NOW, asapTargetHours: 72 });
  return {
    ...state,
    phase: 'notification',
    consequences: setup.consequences,
    containment: (setup.measures ?? []).map((measures) => ({ measures, by: { id: 'prn_responder', type: 'person' as const }, at: NOW })),
    obligations: obligations.map((o) => ({ ...o, status: 'open', notices: [], escalation: { window: o.dueAt, handled: 0, sent: [] } })),
  };
}

function obligation(state: IncidentState, id: string): TrackedObligation {
  const found = state.obligations.find((o) => o.id === id);
  if (!found) throw new Error(`no ${id} among ${state.obligations.map((o) => o.id).join(', ')}`);
  return found;
}

const section = (draft: NoticeDraft, heading: string) => {
  const found = draft.sections.find((s) => s.heading === heading);
  if (!found) throw new Error(`no section "${heading}" in ${draft.obligationId}`);
  return found;
};

const placeholder = (heading: string) => `[to be completed: ${heading.toLowerCase()}]`;

describe('notice drafts', () => {
  it('gives a GDPR Art. 33 notice the six elements of Art. 33(3), filled from the incident', () => {
    const state = incident({ consequences: 'Identity theft and phishing.', measures: ['Bucket made private.', 'Keys rotated.'] });
    const o = obligation(state, 'gdpr.art33.authority');
    const draft = draftFor(state, o);

    expect(draft.obligationId).toBe('gdpr.art33.authority');
    expect(draft.recipient).toBe(o.recipient);
    expect(draft.citation).toBe(`${o.citation}; contents: GDPR Art. 33(3)`);
    expect(draft.sections.map((s) => s.heading)).toEqual(GDPR_33);
    expect(draft.sections.filter((s) => s.missing)).toEqual([]);
    expect(section(draft, 'Nature of the breach').text).toBe('Customer database exposed. A misconfigured bucket exposed a customer export.');
    expect(section(draft, 'Categories of personal data concerned').text).toBe('contact, government-id');
    // Not a per-jurisdiction duty: everyone affected counts.
    expect(section(draft, 'Approximate number of people concerned').text).toBe('About 1500 people.');
    // Only the DPO is the contact point, not every contact that receives escalations.
    expect(section(draft, 'Contact point for more information (DPO)').text).toBe('dpo@example.org');
    expect(section(draft, 'Likely consequences').text).toBe('Identity theft and phishing.');
    expect(section(draft, 'Measures taken or proposed, including mitigation').text).toBe('Bucket made private. Keys rotated.');
  });

  it('marks every element the incident does not record yet as missing, with a placeholder naming it', () => {
    const state = incident({ affected: {}, dataCategories: [], flags: ['controller', 'eu-established'], contacts: [{ role: 'owner', email: 'owner@example.org' }] });
    const draft = draftFor(state, obligation(state, 'gdpr.art33.authority'));

    expect(draft.sections.map((s) => s.heading)).toEqual(GDPR_33);
    const missing = draft.sections.filter((s) => s.missing);
    expect(missing.map((s) => s.heading)).toEqual(GDPR_33.slice(1));
    for (const s of missing) expect(s.text).toBe(placeholder(s.heading));
    expect(section(draft, 'Approximate number of people concerned').text).toBe('[to be completed: approximate number of people concerned]');
    expect(section(draft, 'Contact point for more information (DPO)').text).toBe('[to be completed: contact point for more information (dpo)]');
    expect(section(draft, 'Nature of the breach')).toEqual({ heading: 'Nature of the breach', text: 'Customer database exposed. A misconfigured bucket exposed a customer export.', missing: false });
  });

  it('lists every DPO when there are several', () => {
    const state = incident({
      contacts: [
        { role: 'dpo', email: 'dpo@example.org' },
        { role: 'legal', email: 'legal@example.org' },
        { role: 'dpo', email: 'dpo.fr@example.org' },
      ],
    });
    const draft = draftFor(state, obligation(state, 'gdpr.art33.authority'));
    expect(section(draft, 'Contact point for more information (DPO)')).toMatchObject({ text: 'dpo@example.org, dpo.fr@example.org', missing: false });
  });

  it('gives the data subjects notice of Art. 34 its own elements, advice always left to the responder', () => {
    const state = incident({ consequences: 'Phishing.', measures: ['Passwords reset.'] });
    const draft = draftFor(state, obligation(state, 'gdpr.art34.data-subjects'));
    expect(draft.citation).toMatch(/; contents: GDPR Art\. 34\(2\)$/);
    expect(draft.sections.map((s) => s.heading)).toEqual(GDPR_34);
    expect(draft.sections.filter((s) => s.missing).map((s) => s.heading)).toEqual(['What the people concerned can do to protect themselves']);
    expect(section(draft, 'What the people concerned can do to protect themselves').text).toBe('[to be completed: what the people concerned can do to protect themselves]');
  });

  it('uses the UK GDPR contents for the ICO notice, not the EU ones', () => {
    const state = incident({ affected: { GB: 40 }, consequences: 'Phishing.' });
    const draft = draftFor(state, obligation(state, 'uk-gdpr.art33.ico'));
    expect(draft.citation).toMatch(/; contents: UK GDPR Art\. 33\(3\)$/);
    expect(draft.sections.map((s) => s.heading)).toEqual(GDPR_33);
    expect(section(draft, 'Approximate number of people concerned').text).toBe('About 40 people.');
  });

  it('gives HIPAA notices the elements of 45 CFR 164.404(c), with the dates of occurrence and discovery', () => {
    const hipaa = { affected: { 'US-CA': 600, 'US-TX': 300 }, dataCategories: ['health'], flags: ['hipaa-covered-entity', 'unsecured-phi'], measures: ['Laptop wiped remotely.'] };
    const state = incident({ ...hipaa, anchors: { discovery: AWARE, occurrence: OCCURRED }, contacts: [{ role: 'dpo', email: 'privacy@example.org' }] });
    const media = obligation(state, 'hipaa.media@US-CA');
    expect(media.jurisdiction).toBe('US-CA');
    const draft = draftFor(state, media);
    expect(draft.citation).toBe(`${media.citation}; contents: 45 CFR 164.404(c)`);
    expect(draft.sections.map((s) => s.heading)).toEqual(HIPAA);
    expect(section(draft, 'Dates of the breach and of its discovery')).toEqual({ heading: 'Dates of the breach and of its discovery', text: `Occurred ${OCCURRED}; discovered ${AWARE}.`, missing: false });
    expect(section(draft, 'Categories of personal data concerned').text).toBe('health');
    expect(section(draft, 'Measures taken or proposed, including mitigation').text).toBe('Laptop wiped remotely.');
    expect(section(draft, 'Contact point for more information (DPO)').text).toBe('privacy@example.org');
    expect(draft.sections.filter((s) => s.missing).map((s) => s.heading)).toEqual(['What the people concerned can do to protect themselves']);

    // Occurrence unknown: said so; the discovery date is still there.
    const unknownOccurrence = incident({ ...hipaa, anchors: { discovery: AWARE } });
    const dates = section(draftFor(unknownOccurrence, obligation(unknownOccurrence, 'hipaa.individuals')), 'Dates of the breach and of its discovery');
    expect(dates).toMatchObject({ text: `Date of occurrence not yet known; discovered ${AWARE}.`, missing: false });
  });

  it('marks the dates missing while the discovery is not recorded', () => {
    const state = incident({ affected: { 'US-TX': 300 }, dataCategories: ['government-id'], anchors: { determination: AWARE, occurrence: OCCURRED } });
    const draft = draftFor(state, obligation(state, 'us-tx.individuals'));
    expect(section(draft, 'Dates of the breach and of its discovery')).toEqual({
      heading: 'Dates of the breach and of its discovery',
      text: '[to be completed: dates of the breach and of its discovery]',
      missing: true,
    });
  });

  it('gives other regimes the general list of elements', () => {
    const state = incident({ affected: { DE: 100, 'US-TX': 300 }, dataCategories: ['government-id'], consequences: 'Fraud.', measures: ['Accounts locked.'] });
    const o = obligation(state, 'us-tx.individuals');
    const draft = draftFor(state, o);
    expect(draft.citation).toBe(`${o.citation}; contents: general practice`);
    expect(draft.sections.map((s) => s.heading)).toEqual(GENERAL);
    expect(section(draft, 'Dates of the breach and of its discovery').text).toBe(`Date of occurrence not yet known; discovered ${AWARE}.`);
    // The rule is not expanded per jurisdiction, so the number is everyone affected.
    expect(section(draft, 'Approximate number of people concerned').text).toBe('About 400 people.');
    expect(draft.sections.filter((s) => s.missing).map((s) => s.heading)).toEqual(['What the people concerned can do to protect themselves']);
  });

  it('counts only the residents of the jurisdiction an obligation is for', () => {
    const state = incident({ affected: { DE: 100, 'US-TX': 300, 'US-CA': 20 }, dataCategories: ['government-id'] });
    const base = obligation(state, 'us-tx.individuals');
    const texas = draftFor(state, { ...base, id: 'us-tx.individuals@US-TX', jurisdiction: 'US-TX' });
    expect(section(texas, 'Approximate number of people concerned')).toMatchObject({ text: 'About 300 residents of US-TX.', missing: false });
    // Nobody from that jurisdiction is recorded (yet): the number is missing, not zero.
    const nevada = draftFor(state, { ...base, id: 'us-tx.individuals@US-NV', jurisdiction: 'US-NV' });
    expect(section(nevada, 'Approximate number of people concerned')).toMatchObject({ text: '[to be completed: approximate number of people concerned]', missing: true });
  });

  it('drafts only the obligations still to be notified, in the order of the incident', () => {
    const state = incident({ affected: { DE: 1200, 'US-CA': 600, 'US-TX': 300 }, dataCategories: ['government-id'] });
    expect(state.obligations.length).toBeGreaterThanOrEqual(5);
    const statuses: ObligationStatus[] = ['notified', 'open', 'exempt', 'partially-notified', 'withdrawn'];
    const mixed: IncidentState = { ...state, obligations: state.obligations.map((o, i) => ({ ...o, status: statuses[i % statuses.length] })) };
    const expected = mixed.obligations.filter((o) => o.status === 'open' || o.status === 'partially-notified');
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const drafts = draftsFor(mixed);
    expect(drafts.map((d) => d.obligationId)).toEqual(expected.map((o) => o.id));
    expect(drafts).toEqual(expected.map((o) => draftFor(mixed, o)));
    expect(draftsFor({ ...mixed, obligations: mixed.obligations.map((o) => ({ ...o, status: 'notified' as const })) })).toEqual([]);
    expect(draftsFor({ ...state, obligations: [] })).toEqual([]);
  });
});
