import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { DateTime, Duration } from 'luxon';
import type { AccessReviewInput } from '../../store/access-reviews';
import { applyDecision, campaignReport, openReviewItem, refuseDecision, type CampaignReport, type DecisionInput, type Flag, type RecertPolicy } from '../../domain/campaign/recertification';
import type { Role } from '../../domain/roles';
import { SA } from '../../platform/search-attributes';
import { isOpenItem, revokeAccess, type AccessReview, type AccessReviewItem } from '../../store/access-reviews';
import type { Principal } from '../../store/principals';
import { accessReviewWorkflow, itemsClosedSignal } from '../../workflows/access-review';
import { DecisionBody, ItemParams, ItemsQuery, ItemView, LaunchReviewBody, launchProblems, ListQuery, ReviewParams, ReviewView } from '../access-review-schemas';
import { assertSameRequest, processId, requestHash } from '../idempotency';
import { problems, type FieldError } from '../problem';
import { recordChange } from '../record';
import { IdempotencyKeyHeader, withErrors } from '../schemas';

const LAUNCHERS: Role[] = ['admin', 'compliance-officer'];
const READERS: Role[] = [...LAUNCHERS, 'auditor'];
/** Staff see and decide only the items they review: managers are usually plain staff principals. */
const ITEM_READERS: Role[] = [...READERS, 'staff'];
const DECIDERS: Role[] = [...LAUNCHERS, 'staff'];
/** Who may decide an escalated item, or give the second review of a decision on one's own access. */
const SECOND_REVIEWERS: readonly Role[] = LAUNCHERS;

const DEFAULTS = { dormantAfterDays: 90, onNoDecision: 'flag', reminderLeads: ['P3D', 'P1D'], escalateAfterDue: 'P1D', finalAfterEscalation: 'P3D' } as const;
const MAX_DECISION_ATTEMPTS = 20;

/**
 * Access recertification campaigns. A campaign is a workflow that builds one item per active principal and sends the
 * notices; decisions are taken here, each stored on its item with a compare-and-set on the item's version, recorded
 * in the evidence trail, and — when the outcome is revoke — made effective before the answer: the principal's keys
 * revoked and roles removed, so its very next request is refused.
 */
const accessReviews: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config, stores } = app.deps;
  const store = stores.accessReviews;

  app.post(
    '/',
    {
      config: { roles: LAUNCHERS },
      schema: { tags: ['access-reviews'], summary: 'Launch an access recertification campaign over every active principal', headers: IdempotencyKeyHeader, body: LaunchReviewBody, response: withErrors({ 202: Type.Object({ reviewId: Type.String() }) }) },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const now = new Date();
      const errors = await launchProblems(body, stores.principals, now);
      if (errors.length > 0) throw problems.invalid(errors);
      const dueAt = body.dueAt !== undefined ? new Date(body.dueAt).toISOString() : new Date(DateTime.fromJSDate(now, { zone: 'utc' }).plus(Duration.fromISO(body.dueIn!)).toMillis()).toISOString();
      const policy: RecertPolicy = {
        dueAt,
        reminderLeads: body.reminderLeads ?? [...DEFAULTS.reminderLeads],
        escalateAfterDue: body.escalateAfterDue ?? DEFAULTS.escalateAfterDue,
        finalAfterEscalation: body.finalAfterEscalation ?? DEFAULTS.finalAfterEscalation,
        onNoDecision: body.onNoDecision ?? DEFAULTS.onNoDecision,
      };
      try {
        // The domain checks the whole schedule now, rather than the campaign failing at its first notice.
        openReviewItem({ itemId: 'check', reviewer: principal.id, openedAt: now.toISOString() }, policy);
      } catch (err) {
        if (err instanceof RangeError) throw problems.invalid([{ field: 'body', message: err.message }]);
        throw err;
      }
      const reviewId = processId('arv', principal.id, request.headers['idempotency-key']);
      const hash = requestHash(body);
      const input: AccessReviewInput = {
        reviewId,
        title: body.title,
        launchedBy: { id: principal.id, type: principal.kind === 'person' ? 'person' : 'system' },
        policy,
        dormantAfterDays: body.dormantAfterDays ?? DEFAULTS.dormantAfterDays,
        fallbackReviewer: body.fallbackReviewer ?? principal.id,
        escalateTo: body.escalateTo ?? principal.id,
        ...(body.roleMapping && { roleMapping: body.roleMapping }),
      };
      try {
        await temporal.workflow.start(accessReviewWorkflow, {
          workflowId: reviewId,
          taskQueue: config.taskQueue,
          args: [input],
          memo: { requestHash: hash },
          typedSearchAttributes: [{ key: SA.process, value: 'access-review' }, { key: SA.resourceId, value: reviewId }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, reviewId, hash);
      }
      // Registered now, so the campaign can be read at once; its first activity finds it here (or registers it).
      await store.createReview({ ...input, status: 'building', createdAt: now.toISOString(), notices: [] });
      return reply.status(202).header('location', `/access-reviews/${reviewId}`).send({ reviewId });
    },
  );

  app.get(
    '/',
    { config: { roles: READERS }, schema: { tags: ['access-reviews'], summary: 'Access recertification campaigns, newest first', querystring: ListQuery, response: withErrors({ 200: Type.Object({ items: Type.Array(ReviewView), next: Type.Optional(Type.String()) }) }) } },
    async (request) => {
      const items = await store.listReviews({ before: request.query.before, limit: request.query.limit });
      return { items, ...(items.length === request.query.limit && { next: items[items.length - 1].createdAt }) };
    },
  );

  app.get(
    '/:reviewId',
    { config: { roles: READERS }, schema: { tags: ['access-reviews'], summary: 'A campaign with its report (live while it runs)', params: ReviewParams, response: withErrors({ 200: ReviewView }) } },
    async (request) => {
      const review = await reviewOr404(request.params.reviewId);
      return { ...review, report: review.status === 'ended' && review.report ? review.report : await liveReport(review.reviewId) };
    },
  );

  app.get(
    '/:reviewId/items',
    {
      config: { roles: ITEM_READERS },
      schema: { tags: ['access-reviews'], summary: 'The review items: flags, reviewer, status and outcome (staff see the items they review)', params: ReviewParams, querystring: ItemsQuery, response: withErrors({ 200: Type.Object({ items: Type.Array(ItemView), next: Type.Optional(Type.String()) }) }) },
    },
    async (request) => {
      const review = await reviewOr404(request.params.reviewId);
      const own = onlyOwn(request.principal!, review);
      const { status, flag, limit, after } = request.query;
      const items = await store.itemsOf(review.reviewId, { afterPrincipalId: after, status, flag, limit, ...(own && { reviewer: own }) }).toArray();
      return { items: items.map(itemView), ...(items.length === limit && { next: items[items.length - 1].principalId }) };
    },
  );

  app.post(
    '/:reviewId/items/:principalId/decision',
    {
      config: { roles: DECIDERS },
      schema: {
        tags: ['access-reviews'],
        summary: "Decide an item: keep, revoke (takes effect at once), defer or escalate. The item's reviewer; once escalated, or for the second review of a decision on one's own access, a compliance officer or admin who is not its holder",
        params: ItemParams,
        body: DecisionBody,
        response: withErrors({ 200: ItemView }),
      },
    },
    async (request) => {
      const caller = request.principal!;
      const { reviewId, principalId } = request.params;
      const review = await reviewOr404(reviewId);
      if (review.status === 'ended') throw problems.conflict('The access review has ended: its items can no longer be decided.');
      if (review.status === 'building') throw problems.conflict('The access review is still being prepared; decide once its reviewers have been told.');
      const own = onlyOwn(caller, review);
      const actor = { id: caller.id, type: caller.kind === 'person' ? ('person' as const) : ('system' as const) };
      for (let attempt = 0; attempt < MAX_DECISION_ATTEMPTS; attempt += 1) {
        const item = await store.getItem(reviewId, principalId);
        if (!item || (own && item.state.reviewer !== own)) throw problems.notFound(`Review item ${principalId} of access review ${reviewId}`);
        const at = new Date().toISOString();
        const input: DecisionInput = {
          by: caller.id,
          byIsReviewer: mayDecide(item, review, caller),
          decision: request.body.decision,
          subjectPrincipalId: principalId,
          ...(request.body.reason !== undefined && { reason: request.body.reason }),
          ...(request.body.deferUntil !== undefined && { deferUntil: request.body.deferUntil }),
        };
        const refusal = refuseDecision(item.state, input, at);
        if (refusal) throw problems.unprocessable(refusal, fieldsOf(refusal));
        const state = applyDecision(item.state, input, at);
        const closes = isOpenItem(item) && !isOpenItem({ state });
        const saved = await store.updateItem(item, { state, ...(closes && { closedAt: at }) });
        // Someone else changed the item first (another reviewer, a notice): read it again and decide again.
        if (!saved) continue;
        const decision = state.decisions[state.decisions.length - 1];
        await recordChange(request, {
          key: `${item.itemId}:decision-${state.decisions.length}`,
          action: 'access-review.decided',
          resource: { type: 'access-review', id: reviewId },
          data: { principalId, decision: decision.decision, reason: decision.reason, deferUntil: decision.deferUntil, selfReview: decision.selfReview, status: state.status, outcome: state.outcome },
        });
        const result = state.outcome === 'revoke' ? await revokeAccess(stores, saved, actor) : saved;
        if (closes) await lowerOpenCount(reviewId);
        return itemView(result);
      }
      throw problems.conflict('The item kept changing while your decision was being saved; try again.');
    },
  );

  async function reviewOr404(reviewId: string): Promise<AccessReview> {
    const review = await store.getReview(reviewId);
    if (!review) throw problems.notFound(`Access review ${reviewId}`);
    return review;
  }

  async function liveReport(reviewId: string): Promise<CampaignReport> {
    const items: { state: AccessReviewItem['state']; flags: Flag[] }[] = [];
    for await (const item of store.itemsOf(reviewId)) items.push({ state: item.state, flags: item.flags.map((f) => f.flag) });
    return campaignReport(items);
  }

  /** When the last open item closes, the campaign need not wait for its next notice to end. */
  async function lowerOpenCount(reviewId: string): Promise<void> {
    try {
      if ((await store.decrementOpen(reviewId)) !== 0) return;
      await temporal.workflow.getHandle(reviewId).signal(itemsClosedSignal);
    } catch (err) {
      // The campaign still ends at its next notice, which counts the open items itself.
      app.log.warn({ reviewId, err: (err as Error).message }, 'could not tell the access review its items are all closed');
    }
  }
};

/** Staff who hold no other role act only on the items they review — all of them when they are the escalation contact. */
function onlyOwn(principal: Principal, review: AccessReview): string | undefined {
  if (principal.roles.some((r) => r !== 'staff') || principal.id === review.escalateTo) return undefined;
  return principal.id;
}

/**
 * Whether the caller is the one who may decide the item in its status; refuseDecision says why not. The holder of the
 * access is never the escalation reviewer, and a second review by them (or by whoever took the first) is refused
 * by the domain's four-eyes rule.
 */
function mayDecide(item: AccessReviewItem, review: AccessReview, caller: Principal): boolean {
  const secondReviewer = caller.roles.some((r) => SECOND_REVIEWERS.includes(r)) || caller.id === review.escalateTo;
  switch (item.state.status) {
    case 'pending':
      return caller.id === item.state.reviewer;
    case 'escalated':
      return secondReviewer && caller.id !== item.principalId;
    case 'awaiting-second-review':
      return secondReviewer;
    default:
      return true;
  }
}

/** The request field a refusal is about, when it is about one. */
function fieldsOf(refusal: string): FieldError[] | undefined {
  const field = /deferUntil|too late to defer/.test(refusal) ? 'body.deferUntil' : /\breason\b/.test(refusal) ? 'body.reason' : /unknown decision|already escalated/.test(refusal) ? 'body.decision' : undefined;
  return field ? [{ field, message: refusal }] : undefined;
}

function itemView(item: AccessReviewItem) {
  const { facts, state } = item;
  return {
    itemId: item.itemId,
    reviewId: item.reviewId,
    principalId: item.principalId,
    principalKind: facts.principalKind,
    entitlements: facts.entitlements,
    staffStatus: facts.staffStatus,
    ownerId: facts.ownerId,
    lastUsedAt: facts.lastUsedAt,
    flags: item.flags,
    reviewer: state.reviewer,
    reviewerBasis: item.reviewerBasis,
    status: state.status,
    outcome: state.outcome,
    dueAt: state.dueAt,
    deferredUntil: state.deferredUntil,
    remindersSent: state.remindersSent,
    escalationsSent: state.escalationsSent,
    decisions: state.decisions,
    closedAt: item.closedAt,
    revocation: item.revocation,
    version: item.version,
  };
}

export default accessReviews;
