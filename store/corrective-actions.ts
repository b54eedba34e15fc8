import type { Collection, Db } from 'mongodb';
import type { CorrectiveAction, CorrectiveStatus } from '../domain/audit/corrective';
import { saveIfNewer } from '../platform/mongo';

/**
 * Corrective actions as last saved by their workflows, for lists and reports; a running action's live state is its
 * workflow's query. Each save carries the workflow's change count, so an older save arriving late is ignored.
 */
export interface SavedCorrectiveAction extends CorrectiveAction {
  workflowId: string;
  escalateTo: string;
  version: number;
}

interface Stored extends Omit<SavedCorrectiveAction, 'id'> {
  _id: string;
}

export class CorrectiveActionStore {
  private readonly actions: Collection<Stored>;

  constructor(db: Db) {
    this.actions = db.collection<Stored>('corrective_actions');
  }

  async ensureIndexes(): Promise<void> {
    await this.actions.createIndex({ status: 1 }, { name: 'status' });
  }

  async save(action: SavedCorrectiveAction): Promise<void> {
    const { id, ...rest } = action;
    await saveIfNewer(this.actions, { _id: id, ...rest });
  }

  async get(id: string): Promise<SavedCorrectiveAction | undefined> {
    const doc = await this.actions.findOne({ _id: id });
    return doc ? toAction(doc) : undefined;
  }

  async list(filter: { status?: CorrectiveStatus; afterId?: string; limit: number }): Promise<SavedCorrectiveAction[]> {
    const query = { ...(filter.status && { status: filter.status }), ...(filter.afterId && { _id: { $gt: filter.afterId } }) };
    return (await this.actions.find(query).sort({ _id: 1 }).limit(filter.limit).toArray()).map(toAction);
  }
}

function toAction(doc: Stored): SavedCorrectiveAction {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}
