import { heartbeat } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { assign, completionReport, inAudience, type Assignment, type CompletionReport } from '../domain/campaign/training';
import { publicUrl } from '../platform/config';
import { createStores } from '../store';
import { assignmentId, type TrainingCampaign } from '../store/training';
import type { AssignmentInput } from '../workflows/training-assignment';
import type { ConsentActivityDeps } from './consent';
import type { NotificationActivities } from './notifications';

/** How many assignment workflows one activity call starts: a campaign's history grows by one call per this many. */
export const ENROL_BATCH = 200;
const EVIDENCE_PAGE = 500;
const START_CONCURRENCY = 20;

export function trainingActivities(deps: ConsentActivityDeps, notify: NotificationActivities) {
  const stores = createStores(deps.db, deps.crypto);

  async function campaignOf(campaignId: string): Promise<TrainingCampaign> {
    const campaign = await stores.training.campaign(campaignId);
    if (!campaign) throw new Error(`training campaign ${campaignId} is not registered`);
    return campaign;
  }

  return {
    /**
     * Enrols the next part of the audience: scans the directory in id order after `afterId` and starts an assignment
     * workflow for each member in the audience, up to `ENROL_BATCH` of them. Starting is idempotent by assignment id,
     * so a retried call starts nobody twice. Returns where the next call continues, or nothing when the scan is done.
     */
    async enrolAudience(input: { campaignId: string; cycle: number; afterId?: string }): Promise<{ enrolled: number; next?: string }> {
      const campaign = await campaignOf(input.campaignId);
      const now = new Date().toISOString();
      const staffIds: string[] = [];
      let last: string | undefined;
      for await (const member of stores.staff.scan(input.afterId)) {
        last = member.id;
        if (inAudience(member, campaign.audience, now)) staffIds.push(member.id);
        if (staffIds.length === ENROL_BATCH) break;
      }
      await startAssignments(campaign, input.cycle, staffIds);
      await recordEnrolment(campaign, input.cycle, staffIds, `after:${input.afterId ?? ''}`);
      return { enrolled: staffIds.length, ...(staffIds.length === ENROL_BATCH && last && { next: last }) };
    },

    /** Enrols one new joiner into the campaign's current cycle, if they are in its audience. */
    async enrolJoiner(input: { campaignId: string; cycle: number; staffId: string }): Promise<boolean> {
      const campaign = await campaignOf(input.campaignId);
      const member = await stores.staff.get(input.staffId);
      if (!member || !inAudience(member, campaign.audience, new Date().toISOString())) return false;
      await startAssignments(campaign, input.cycle, [member.id]);
      await recordEnrolment(campaign, input.cycle, [member.id], `joiner:${member.id}`);
      return true;
    },

    async saveAssignment(input: { assignment: Assignment; version: number }): Promise<void> {
      await stores.training.saveAssignment(input.assignment, input.version);
    },

    /** E-mails the assignee (assignment, reminders) or their manager (escalation); nobody to tell is not an error. */
    async notifyAssignment(input: { key: string; notice: 'assigned' | 'reminder' | 'escalation'; assignment: Assignment; moduleTitle: string; campaignTitle: string }): Promise<void> {
      const member = await stores.staff.get(input.assignment.staffId);
      if (!member) return;
      const recipient = input.notice === 'escalation' ? (member.managerId ? await stores.staff.get(member.managerId) : undefined) : member;
      if (!recipient || recipient.status === 'leaver') return;
      await notify.sendEmail({
        key: input.key,
        to: [recipient.email],
        template: 'training.notice',
        data: {
          notice: input.notice,
          moduleTitle: input.moduleTitle,
          campaignTitle: input.campaignTitle,
          dueAt: input.assignment.dueAt,
          assignmentId: input.assignment.assignmentId,
          staffName: member.name,
          link: `${publicUrl(deps.config)}/training/assignments/${input.assignment.assignmentId}`,
        },
        resource: { type: 'training-assignment', id: input.assignment.assignmentId },
      });
    },

    /**
     * The cycle's completion report, and the assignments that closed incomplete in the evidence trail (by assignment
     * id, a page of them per event); the campaign ends unless it recurs.
     */
    async closeCampaignCycle(input: { campaignId: string; cycle: number; recurs: boolean }): Promise<CompletionReport> {
      const report = await campaignReport(input.campaignId, input.cycle);
      const incomplete = report.overdueList.map((o) => o.assignmentId);
      for (let page = 0; page * EVIDENCE_PAGE < incomplete.length; page += 1) {
        await stores.evidence.append({
          key: `${input.campaignId}:cycle-${input.cycle}:closed-incomplete-${page}`,
          at: new Date(),
          actor: { id: 'system:training', type: 'system' },
          action: 'training.closed-incomplete',
          resource: { type: 'training-campaign', id: input.campaignId },
          data: { cycle: input.cycle, assignmentIds: incomplete.slice(page * EVIDENCE_PAGE, (page + 1) * EVIDENCE_PAGE) },
        });
      }
      if (!input.recurs) await stores.training.setCampaign(input.campaignId, { status: 'ended' });
      return report;
    },

    async startCampaignCycle(input: { campaignId: string; cycle: number }): Promise<void> {
      await stores.training.setCampaign(input.campaignId, { cycle: input.cycle });
    },
  };

  async function startAssignments(campaign: TrainingCampaign, cycle: number, staffIds: string[]): Promise<void> {
    if (!deps.temporal) throw new Error('this worker has no Temporal client for starting assignments');
    const client = await deps.temporal();
    const module = await stores.training.module(campaign.moduleId, campaign.moduleVersion);
    if (!module) throw new Error(`module ${campaign.moduleId}@${campaign.moduleVersion} is not registered`);
    const assignedAt = new Date().toISOString();
    const inputs: AssignmentInput[] = staffIds.map((staffId) => ({
      assignment: assign({ assignmentId: assignmentId(campaign.campaignId, cycle, staffId), campaignId: campaign.campaignId, staffId, module, assignedAt, dueIn: campaign.dueIn }),
      module,
      campaignTitle: campaign.title,
      reminders: campaign.reminders,
      closeAfterDue: campaign.closeAfterDue,
      notifications: campaign.notifications,
    }));
    await stores.training.createAssignments(inputs.map((input) => input.assignment));
    for (let i = 0; i < inputs.length; i += START_CONCURRENCY) {
      await Promise.all(
        inputs.slice(i, i + START_CONCURRENCY).map(async (input) => {
          const id = input.assignment.assignmentId;
          try {
            // One run per assignment, ever: a retried enrolment must not run again an assignment that already closed.
            await client.workflow.start('trainingAssignmentWorkflow', { workflowId: id, taskQueue: deps.config.taskQueue, args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          }
        }),
      );
      heartbeat(i);
    }
  }

  /** One evidence event per enrolment batch: who was assigned what, due when (ids only). */
  async function recordEnrolment(campaign: TrainingCampaign, cycle: number, staffIds: string[], batch: string): Promise<void> {
    if (staffIds.length === 0) return;
    await stores.evidence.append({
      key: `${campaign.campaignId}:cycle-${cycle}:enrolled:${batch}`,
      at: new Date(),
      actor: { id: 'system:training', type: 'system' },
      action: 'training.enrolled',
      resource: { type: 'training-campaign', id: campaign.campaignId },
      data: { cycle, moduleId: campaign.moduleId, moduleVersion: campaign.moduleVersion, dueIn: campaign.dueIn, staffIds },
    });
  }

  async function campaignReport(campaignId: string, cycle: number): Promise<CompletionReport> {
    const departments = new Map<string, string>();
    for await (const member of stores.staff.scan()) departments.set(member.id, member.department);
    const rows: { assignment: Assignment; department: string }[] = [];
    for await (const assignment of stores.training.assignmentsOf(campaignId, cycle)) rows.push({ assignment, department: departments.get(assignment.staffId) ?? 'unknown' });
    return completionReport(rows, new Date().toISOString());
  }
}

export type TrainingActivities = ReturnType<typeof trainingActivities>;
