import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { Duration } from 'luxon';
import type { Activities } from '../activities';
import { nextOccurrence, type CompletionReport } from '../domain/campaign/training';
import { recordEvidence } from './activities';

// The whole message surface of a training campaign.
/** From the directory when someone joins: they are enrolled in the running cycle if they are in the audience. */
export const joinerSignal = defineSignal<[{ staffId: string }]>('joiner');
export const campaignProgressQuery = defineQuery<CampaignProgress>('progress');

export interface TrainingCampaignInput {
  campaignId: string;
  cycle: number;
  /** When cycle 0 started; later cycles start at `recurrence` multiples of it. */
  firstStartedAt?: string;
  title: string;
  dueIn: string;
  closeAfterDue: string;
  recurrence?: string;
  createdBy: string;
}

export interface CampaignProgress {
  cycle: number;
  phase: 'enrolling' | 'running' | 'closed';
  enrolled: number;
  joiners: number;
  report?: CompletionReport;
}

const { enrolAudience } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { enrolJoiner, closeCampaignCycle, startCampaignCycle } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One cycle of a campaign: enrol the audience a batch at a time (each person gets an assignment workflow of their
 * own), enrol joiners as they arrive, and close when the last assignment can have closed. A recurring campaign then
 * sleeps until its next cycle and continues as new, so its history stays one cycle long whatever the number of
 * people or years.
 */
export async function trainingCampaignWorkflow(input: TrainingCampaignInput): Promise<CampaignProgress> {
  const startedAt = new Date().toISOString();
  const firstStartedAt = input.firstStartedAt ?? startedAt;
  const progress: CampaignProgress = { cycle: input.cycle, phase: 'enrolling', enrolled: 0, joiners: 0 };
  const joiners: string[] = [];
  setHandler(campaignProgressQuery, () => progress);
  setHandler(joinerSignal, ({ staffId }) => void joiners.push(staffId));
  const resource = { type: 'training-campaign', id: input.campaignId };
  const { workflowId } = workflowInfo();

  await startCampaignCycle({ campaignId: input.campaignId, cycle: input.cycle });
  await recordEvidence({ key: `${workflowId}:cycle-${input.cycle}:started`, at: new Date(startedAt), actor: { id: input.createdBy, type: 'person' }, action: 'training.cycle-started', resource, data: { cycle: input.cycle } });
  let next: string | undefined;
  do {
    const batch = await enrolAudience({ campaignId: input.campaignId, cycle: input.cycle, afterId: next });
    progress.enrolled += batch.enrolled;
    next = batch.next;
  } while (next);
  progress.phase = 'running';

  // Every assignment gets the full time from when it was made — the last of a large enrolment, or a joiner, later
  // than the first — so the cycle closes after the latest of them can have closed.
  const assignmentSpan = Duration.fromISO(input.dueIn).plus(Duration.fromISO(input.closeAfterDue)).toMillis();
  let closesAt = Date.now() + assignmentSpan;
  for (;;) {
    const woken = await condition(() => joiners.length > 0, Math.max(1, closesAt - Date.now()));
    if (!woken) break;
    while (joiners.length > 0) {
      if (await enrolJoiner({ campaignId: input.campaignId, cycle: input.cycle, staffId: joiners.shift()! })) {
        progress.joiners += 1;
        closesAt = Math.max(closesAt, Date.now() + assignmentSpan);
      }
    }
  }

  progress.report = await closeCampaignCycle({ campaignId: input.campaignId, cycle: input.cycle, recurs: input.recurrence !== undefined });
  progress.phase = 'closed';
  const { total, completed, overdue, withdrawn } = progress.report;
  await recordEvidence({ key: `${workflowId}:cycle-${input.cycle}:closed`, at: new Date(), actor: { id: 'system:training', type: 'system' }, action: 'training.cycle-closed', resource, data: { cycle: input.cycle, total, completed, overdue, withdrawn } });

  const nextCycle = nextOccurrence(firstStartedAt, input.recurrence, input.cycle);
  if (!nextCycle) return progress;
  await sleep(Math.max(1, Date.parse(nextCycle) - Date.now()));
  return continueAsNew<typeof trainingCampaignWorkflow>({ ...input, cycle: input.cycle + 1, firstStartedAt });
}
