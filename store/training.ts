import type { Collection, Db } from 'mongodb';
import type { Assignment, Audience, ReminderPolicy, TrainingModule } from '../domain/campaign/training';
import { isDuplicateKey, saveIfNewer } from '../platform/mongo';

/**
 * Training modules (each version kept: a completion names the version the person saw), campaigns, and one assignment
 * per person and campaign cycle as its workflow last saved it. Assignment ids are `campaign.cycle.staffId`, so a
 * campaign's assignments are one `_id` range and a retried enrolment finds the assignment it made.
 */
export interface TrainingCampaign {
  campaignId: string;
  title: string;
  moduleId: string;
  moduleVersion: string;
  audience: Audience;
  /** Each assignment is due this long after it is made (ISO 8601 duration). */
  dueIn: string;
  reminders: ReminderPolicy;
  /** Assignments not completed this long after their due date close as incomplete; the cycle then ends. */
  closeAfterDue: string;
  /** E-mails to staff and managers, or none where the LMS sends its own. */
  notifications: 'email' | 'none';
  /** ISO 8601 duration between cycles (P1Y: annual), counted from the first cycle's start. */
  recurrence?: string;
  createdBy: string;
  createdAt: string;
  status: 'running' | 'ended';
  cycle: number;
}

interface StoredModule extends TrainingModule {
  _id: string;
  createdBy: string;
  createdAt: string;
}
interface StoredCampaign extends Omit<TrainingCampaign, 'campaignId'> {
  _id: string;
}
interface StoredAssignment extends Omit<Assignment, 'assignmentId'> {
  _id: string;
  version: number;
}

export function assignmentId(campaignId: string, cycle: number, staffId: string): string {
  return `${campaignId}.${cycle}.${staffId}`;
}

export class TrainingStore {
  private readonly modules: Collection<StoredModule>;
  private readonly campaigns: Collection<StoredCampaign>;
  private readonly assignments: Collection<StoredAssignment>;

  constructor(db: Db) {
    this.modules = db.collection<StoredModule>('training_modules');
    this.campaigns = db.collection<StoredCampaign>('training_campaigns');
    this.assignments = db.collection<StoredAssignment>('training_assignments');
  }

  async ensureIndexes(): Promise<void> {
    await this.campaigns.createIndex({ status: 1 }, { name: 'status' });
    await this.assignments.createIndex({ staffId: 1 }, { name: 'staff' });
  }

  /** Adds a module version; false when that version exists (versions are immutable: completions point at them). */
  async addModule(module: TrainingModule, by: string): Promise<boolean> {
    try {
      await this.modules.insertOne({ _id: `${module.moduleId}@${module.version}`, ...module, createdBy: by, createdAt: new Date().toISOString() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async module(moduleId: string, version: string): Promise<TrainingModule | undefined> {
    const doc = await this.modules.findOne({ _id: `${moduleId}@${version}` });
    if (!doc) return undefined;
    const { _id, createdBy: _b, createdAt: _a, ...module } = doc;
    return module;
  }

  async listModules(): Promise<(TrainingModule & { createdAt: string })[]> {
    return (await this.modules.find({}).sort({ _id: 1 }).toArray()).map(({ _id, createdBy: _b, ...rest }) => rest);
  }

  async createCampaign(campaign: TrainingCampaign): Promise<boolean> {
    const { campaignId, ...rest } = campaign;
    try {
      await this.campaigns.insertOne({ _id: campaignId, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async campaign(campaignId: string): Promise<TrainingCampaign | undefined> {
    const doc = await this.campaigns.findOne({ _id: campaignId });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { campaignId: _id, ...rest };
  }

  async listCampaigns(filter: { status?: TrainingCampaign['status'] } = {}): Promise<TrainingCampaign[]> {
    return (await this.campaigns.find(filter.status ? { status: filter.status } : {}).sort({ _id: 1 }).toArray()).map(({ _id, ...rest }) => ({ campaignId: _id, ...rest }));
  }

  async setCampaign(campaignId: string, changes: Partial<Pick<TrainingCampaign, 'status' | 'cycle'>>): Promise<void> {
    await this.campaigns.updateOne({ _id: campaignId }, { $set: changes });
  }

  /**
   * Records new assignments as they are made, before their workflows start (version 0: any save by the workflow
   * replaces it). The cycle's report counts every person enrolled even while their workflows wait behind a backlog;
   * an assignment already recorded (a retried enrolment) is left as it is.
   */
  async createAssignments(assignments: Assignment[]): Promise<void> {
    if (assignments.length === 0) return;
    try {
      await this.assignments.insertMany(
        assignments.map(({ assignmentId, ...rest }) => ({ _id: assignmentId, ...rest, version: 0 })),
        { ordered: false },
      );
    } catch (err) {
      const failed = (err as { writeErrors?: { code?: unknown }[] }).writeErrors;
      if (!isDuplicateKey(err) || failed?.some((e) => e.code !== 11000)) throw err;
    }
  }

  /** Saves an assignment as its workflow holds it; an older save arriving late (a retry) is ignored. */
  async saveAssignment(assignment: Assignment, version: number): Promise<void> {
    const { assignmentId: id, ...rest } = assignment;
    await saveIfNewer(this.assignments, { _id: id, ...rest, version });
  }

  async assignment(id: string): Promise<Assignment | undefined> {
    const doc = await this.assignments.findOne({ _id: id });
    return doc ? toAssignment(doc) : undefined;
  }

  /** One cycle's assignments of a campaign, in id order. */
  async *assignmentsOf(campaignId: string, cycle: number): AsyncGenerator<Assignment> {
    const prefix = `${campaignId}.${cycle}.`;
    for await (const doc of this.assignments.find({ _id: { $gt: prefix, $lt: `${prefix}\uffff` } }).sort({ _id: 1 }).batchSize(1000)) yield toAssignment(doc);
  }

  async openAssignmentsOf(staffId: string): Promise<Assignment[]> {
    return (await this.assignments.find({ staffId, status: 'assigned' }).toArray()).map(toAssignment);
  }
}

function toAssignment(doc: StoredAssignment): Assignment {
  const { _id, version: _v, ...rest } = doc;
  return { assignmentId: _id, ...rest };
}
