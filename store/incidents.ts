import type { Collection, Db } from 'mongodb';
import type { IncidentState } from '../domain/breach/incident';
import { nextDue } from '../domain/breach/incident';
import type { NoticeDraft } from '../domain/breach/drafts';
import type { FieldCrypto } from '../platform/field-crypto';
import { saveIfNewer } from '../platform/mongo';

/**
 * The breach register (GDPR Art. 33(5)): one document per incident, notified or not, written by the incident workflow
 * after every step. The API reads it, so an incident stays readable when no worker is running and after it closes.
 *
 * Free text that may name people (description, containment measures, consequences, contacts, review findings, the
 * notice drafts built from them) is sealed in one encrypted field; ids, phases, counts, categories and obligations
 * stay in the clear so the register can be listed and deadlines found without decrypting.
 */
export interface IncidentRecord {
  state: IncidentState;
  drafts: NoticeDraft[];
  nextDueAt?: string;
  savedAt: Date;
}

type Sealed = Pick<IncidentState, 'description' | 'contacts' | 'containment' | 'consequences' | 'review'> & { drafts: NoticeDraft[] };

interface StoredIncident extends Omit<IncidentState, keyof Sealed | 'incidentId' | 'facts'> {
  _id: string;
  /** Submissions as a list: their keys are obligation ids, which contain dots, and document keys may not. */
  facts: Omit<IncidentState['facts'], 'submissions'> & { submissions: Array<{ obligationId: string; at: string }> };
  sealed: string;
  nextDueAt?: string;
  savedAt: Date;
}

const SEALED_CONTEXT = 'incidents.sealed';

export class IncidentStore {
  private readonly incidents: Collection<StoredIncident>;

  constructor(
    db: Db,
    private readonly crypto: FieldCrypto,
  ) {
    this.incidents = db.collection<StoredIncident>('incidents');
  }

  async ensureIndexes(): Promise<void> {
    await this.incidents.createIndex({ phase: 1 }, { name: 'phase' });
  }

  /**
   * Writes a snapshot unless a newer one is already stored: steps and escalations save concurrently, and an activity
   * retried after a crash may bring an older version late.
   */
  async save(state: IncidentState, drafts: NoticeDraft[]): Promise<'saved' | 'stale'> {
    const { incidentId, description, contacts, containment, consequences, review, facts, ...open } = state;
    const sealed: Sealed = { description, contacts, containment, consequences, review, drafts };
    const due = nextDue(state);
    const doc: StoredIncident = {
      ...open,
      _id: incidentId,
      facts: { ...facts, submissions: Object.entries(facts.submissions).map(([obligationId, at]) => ({ obligationId, at })) },
      sealed: this.crypto.encrypt(JSON.stringify(sealed), SEALED_CONTEXT),
      ...(due ? { nextDueAt: due } : {}),
      savedAt: new Date(),
    };
    return saveIfNewer(this.incidents, doc);
  }

  async get(incidentId: string): Promise<IncidentRecord | undefined> {
    const doc = await this.incidents.findOne({ _id: incidentId });
    return doc ? this.open(doc) : undefined;
  }

  /** Every incident, oldest first; the register is small enough to list whole (thousands, not millions). */
  async list(filter: { phase?: string; open?: boolean } = {}): Promise<IncidentRecord[]> {
    const query = filter.phase ? { phase: filter.phase } : filter.open ? { phase: { $ne: 'closed' } } : {};
    const docs = await this.incidents.find(query as never).toArray();
    return docs.map((d) => this.open(d)).sort((a, b) => a.state.reportedAt.localeCompare(b.state.reportedAt));
  }

  private open(doc: StoredIncident): IncidentRecord {
    const { _id, sealed, nextDueAt, savedAt, facts, ...open } = doc;
    const { drafts, ...secret } = JSON.parse(this.crypto.decrypt(sealed, SEALED_CONTEXT)) as Sealed;
    const submissions = Object.fromEntries(facts.submissions.map((s) => [s.obligationId, s.at]));
    return { state: { ...open, ...secret, facts: { ...facts, submissions }, incidentId: _id }, drafts, nextDueAt, savedAt };
  }
}
