/**
 * Notification drafts: for each obligation, the contents the law requires of the notice, filled from what the
 * incident records, with every gap marked so nobody sends a notice that silently lacks a required element.
 */
import type { IncidentState, TrackedObligation } from './incident';

export interface DraftSection {
  heading: string;
  text: string;
  /** The law names this element; `missing` says the incident does not record it yet. */
  missing: boolean;
}

export interface NoticeDraft {
  obligationId: string;
  recipient: string;
  citation: string;
  sections: DraftSection[];
}

type Element = 'nature' | 'categories' | 'numbers' | 'dates' | 'contact' | 'consequences' | 'measures' | 'advice';

const HEADINGS: Record<Element, string> = {
  nature: 'Nature of the breach',
  categories: 'Categories of personal data concerned',
  numbers: 'Approximate number of people concerned',
  dates: 'Dates of the breach and of its discovery',
  contact: 'Contact point for more information (DPO)',
  consequences: 'Likely consequences',
  measures: 'Measures taken or proposed, including mitigation',
  advice: 'What the people concerned can do to protect themselves',
};

/** Required elements by rule-id prefix; the first match wins, the last entry is the default. */
const REQUIRED: Array<[prefix: string, elements: Element[], source: string]> = [
  ['gdpr.art33', ['nature', 'categories', 'numbers', 'contact', 'consequences', 'measures'], 'GDPR Art. 33(3)'],
  ['uk-gdpr.art33', ['nature', 'categories', 'numbers', 'contact', 'consequences', 'measures'], 'UK GDPR Art. 33(3)'],
  ['gdpr.art34', ['nature', 'contact', 'consequences', 'measures', 'advice'], 'GDPR Art. 34(2)'],
  ['uk-gdpr.art34', ['nature', 'contact', 'consequences', 'measures', 'advice'], 'UK GDPR Art. 34(2)'],
  ['hipaa', ['nature', 'dates', 'categories', 'advice', 'measures', 'contact'], '45 CFR 164.404(c)'],
  ['', ['nature', 'categories', 'numbers', 'dates', 'consequences', 'measures', 'advice', 'contact'], 'general practice'],
];

function affectedFor(state: IncidentState, o: TrackedObligation): number {
  if (o.jurisdiction) return state.facts.affected[o.jurisdiction] ?? 0;
  return Object.values(state.facts.affected).reduce((a, b) => a + b, 0);
}

function fill(element: Element, state: IncidentState, o: TrackedObligation): string | undefined {
  switch (element) {
    case 'nature':
      return `${state.title}. ${state.description}`;
    case 'categories':
      return state.facts.dataCategories.length ? state.facts.dataCategories.join(', ') : undefined;
    case 'numbers': {
      const n = affectedFor(state, o);
      return n > 0 ? `About ${n} ${o.jurisdiction ? `residents of ${o.jurisdiction}` : 'people'}.` : undefined;
    }
    case 'dates': {
      const { occurrence, discovery } = state.facts.anchors;
      return discovery ? `${occurrence ? `Occurred ${occurrence}; ` : 'Date of occurrence not yet known; '}discovered ${discovery}.` : undefined;
    }
    case 'contact': {
      const dpo = state.contacts.filter((c) => c.role === 'dpo').map((c) => c.email);
      return dpo.length ? dpo.join(', ') : undefined;
    }
    case 'consequences':
      return state.consequences;
    case 'measures': {
      const measures = state.containment.map((c) => c.measures);
      return measures.length ? measures.join(' ') : undefined;
    }
    case 'advice':
      return undefined;
  }
}

export function draftFor(state: IncidentState, o: TrackedObligation): NoticeDraft {
  const [, elements, source] = REQUIRED.find(([prefix]) => o.ruleId.startsWith(prefix))!;
  return {
    obligationId: o.id,
    recipient: o.recipient,
    citation: `${o.citation}; contents: ${source}`,
    sections: elements.map((e) => {
      const text = fill(e, state, o);
      return { heading: HEADINGS[e], text: text ?? `[to be completed: ${HEADINGS[e].toLowerCase()}]`, missing: text === undefined };
    }),
  };
}

/** Drafts for every obligation still to be notified. */
export function draftsFor(state: IncidentState): NoticeDraft[] {
  return state.obligations.filter((o) => o.status === 'open' || o.status === 'partially-notified').map((o) => draftFor(state, o));
}
