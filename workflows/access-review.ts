import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccessReviewInput } from '../store/access-reviews';
import { applyNotice, nextNotice, openReviewItem, type CampaignReport } from '../domain/campaign/recertification';
import { SA } from '../platform/search-attributes';
import { recordEvidence } from './activities';

export type { AccessReviewInput } from '../store/access-reviews';

// The whole message surface of an access review. Decisions do not pass through the workflow: the API stores each one
// on its item (compare-and-set) and makes a revocation take effect at once; the workflow keeps only the schedule.
/** From the API when a decision closes the last open item: the campaign can end before its notices run out. */
export const itemsClosedSignal = defineSignal('itemsClosed');

export interface AccessReviewOutcome {
  reviewId: string;
  status: 'ended';
  report: CampaignReport;
}

/** Long per-item passes heartbeat; a worker that dies mid-way is noticed quickly and the retry resumes. */
const { openAccessReview, applyAccessReviewNotice, closeAccessReview } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { countOpenAccessReviewItems } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * An access recertification campaign: builds one item per active principal, e-mails the reviewers, then sleeps until
 * each notice of the policy — the same schedule for every item: reminders before the due date, the escalation after
 * it, the final notice that auto-revokes or flags what is still undecided — and ends after the final notice, or
 * earlier once every item is closed. Per-item work happens in activities, so the history holds a few events per
 * notice whatever the number of principals.
 */
export async function accessReviewWorkflow(input: AccessReviewInput): Promise<AccessReviewOutcome> {
  const { reviewId, policy } = input;
  const resource = { type: 'access-review', id: reviewId };
  const system = { id: 'system:access-review', type: 'system' as const };
  let closedSignalled = false;
  setHandler(itemsClosedSignal, () => void (closedSignalled = true));
  upsertSearchAttributes([
    { key: SA.process, value: 'access-review' },
    { key: SA.resourceId, value: reviewId },
    { key: SA.status, value: 'open' },
    { key: SA.dueAt, value: new Date(policy.dueAt) },
  ]);

  const openedAt = new Date().toISOString();
  const built = await openAccessReview({ ...input, openedAt });
  await recordEvidence({
    key: `${reviewId}:started`,
    at: new Date(openedAt),
    actor: input.launchedBy,
    action: 'access-review.started',
    resource,
    data: {
      items: built.items,
      byFlag: built.byFlag,
      dueAt: policy.dueAt,
      reminderLeads: policy.reminderLeads,
      escalateAfterDue: policy.escalateAfterDue,
      finalAfterEscalation: policy.finalAfterEscalation,
      onNoDecision: policy.onNoDecision,
      dormantAfterDays: input.dormantAfterDays,
      fallbackReviewer: input.fallbackReviewer,
      escalateTo: input.escalateTo,
    },
  });
  let open = built.open;
  if (open > 0) open = (await applyAccessReviewNotice({ reviewId, notice: { kind: 'opened', index: 0, at: openedAt } })).open;

  // Every item opened with the same due date and policy, so one schedule stands for all of them; each item still
  // takes a notice only when its own state says it is due (a deferral holds its reminders back).
  let schedule = openReviewItem({ itemId: reviewId, reviewer: input.fallbackReviewer, openedAt }, policy);
  while (open > 0) {
    const notice = nextNotice(schedule, policy, new Date().toISOString());
    if (!notice) break;
    const signalled = await condition(() => closedSignalled, Math.max(1, Date.parse(notice.at) - Date.now()));
    if (signalled) {
      closedSignalled = false;
      open = await countOpenAccessReviewItems({ reviewId });
      continue;
    }
    const result = await applyAccessReviewNotice({ reviewId, notice });
    await recordEvidence({
      key: `${reviewId}:${notice.kind}-${notice.index + 1}`,
      at: new Date(notice.at),
      actor: system,
      action: `access-review.${notice.kind}`,
      resource,
      data: { at: notice.at, items: result.affected, open: result.open, emails: result.emails, emailsRefused: result.emailsRefused, ...(notice.kind === 'final' && { onNoDecision: notice.onNoDecision, autoRevoked: result.autoRevoked, flaggedUnreviewed: result.flaggedUnreviewed }) },
    });
    schedule = applyNotice(schedule, notice);
    open = result.open;
    if (notice.kind === 'escalation') upsertSearchAttributes([{ key: SA.status, value: 'escalated' }]);
  }

  const report = await closeAccessReview({ reviewId, endedAt: new Date().toISOString() });
  await recordEvidence({ key: `${reviewId}:ended`, at: new Date(), actor: system, action: 'access-review.ended', resource, data: { ...report } });
  upsertSearchAttributes([{ key: SA.status, value: 'ended' }]);
  return { reviewId, status: 'ended', report };
}
