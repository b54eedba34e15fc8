import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import {
  applyNotice,
  campaignReport,
  expectedRoles,
  flagsFor,
  nextNotice,
  openReviewItem,
  reviewerFor,
  type CampaignReport,
  type Flag,
  type Notice,
  type RecertPolicy,
  type ReviewItemFacts,
} from '../domain/campaign/recertification';
import type { Actor } from '../domain/evidence';
import type { EmailTemplateData } from '../domain/templates';
import { createStores } from '../store';
import { isOpenItem, itemIdOf, revokeAccess, type AccessReviewInput, type AccessReviewItem } from '../store/access-reviews';
import { PrincipalStore } from '../store/principals';
import type { StaffFacts } from '../store/staff';
import type { ConsentActivityDeps } from './consent';
import type { NotificationActivities } from './notifications';



/** A notice of the campaign: the domain's reminders, escalation and final notice, and the opening one. */
export type CampaignNotice = Notice | { kind: 'opened'; index: 0; at: string };

export interface NoticeResult {
  /** Items the notice changed (reminded, escalated, closed). */
  affected: number;
  autoRevoked: number;
  flaggedUnreviewed: number;
  /** Items still open after the notice. */
  open: number;
  emails: number;
  /** E-mails a receiver refused for good (no retry can fix them); the notice goes on without them. */
  emailsRefused: number;
}

const SYSTEM: Actor = { id: 'system:access-review', type: 'system' };
const PAGE = 100;
const MAX_CAS_ATTEMPTS = 50;

/**
 * Activities of access recertification campaigns. The campaign's workflow keeps only the schedule; everything per
 * item happens here, a page of items at a time with a heartbeat, so a campaign over thousands of principals keeps a
 * short workflow history, and a worker that dies mid-way is replaced by a retry that redoes only what is not done:
 * items are inserted under deterministic ids, every item change is a compare-and-set on its version and follows from
 * its state (a notice already applied is not applied again), and every e-mail and evidence event carries a key.
 */
export function accessReviewActivities(deps: ConsentActivityDeps, notify: NotificationActivities) {
  const stores = createStores(deps.db, deps.crypto);
  const reviews = stores.accessReviews;
  const log = deps.logger.child({ component: 'access-review' });

  async function reviewOf(reviewId: string) {
    const review = await reviews.getReview(reviewId);
    if (!review) throw ApplicationFailure.nonRetryable(`access review ${reviewId} is not registered`, 'UnknownAccessReview');
    return review;
  }

  /** Completes what a closed item still owes: its revocation, when a crash cut it short. */
  async function settle(item: AccessReviewItem): Promise<AccessReviewItem> {
    if (item.state.outcome !== 'revoke' || item.revocation) return item;
    const decision = item.state.decisions.at(-1);
    const actor: Actor = item.state.status === 'auto-revoked' || !decision ? SYSTEM : { id: decision.by, type: 'person' };
    return revokeAccess(stores, item, actor);
  }

  /** Applies the item's notice due at `at`, if it has one, with a compare-and-set; the item as saved after. */
  async function applyItemNotice(item: AccessReviewItem, policy: RecertPolicy, at: string): Promise<{ item: AccessReviewItem; applied?: Notice }> {
    let current = item;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
      const notice = nextNotice(current.state, policy, at);
      if (!notice || Date.parse(notice.at) > Date.parse(at)) return { item: current };
      const state = applyNotice(current.state, notice);
      const closed = !isOpenItem({ state });
      const saved = await reviews.updateItem(current, { state, ...(closed && { closedAt: notice.at }) });
      if (saved) return { item: saved, applied: notice };
      const reread = await reviews.getItem(item.reviewId, item.principalId);
      if (!reread) return { item: current };
      current = reread;
    }
    throw new Error(`item ${item.itemId} kept changing while its notice was applied`);
  }

  /** Records what the final notice did to an item (keyed, so a retry records it once), and revokes if it must. */
  async function closeByFinal(item: AccessReviewItem): Promise<AccessReviewItem> {
    const autoRevoked = item.state.status === 'auto-revoked';
    await stores.evidence.append({
      key: `${item.itemId}:final`,
      at: new Date(item.closedAt ?? Date.now()),
      actor: SYSTEM,
      action: autoRevoked ? 'access-review.auto-revoked' : 'access-review.flagged-unreviewed',
      resource: { type: 'access-review', id: item.reviewId },
      data: { principalId: item.principalId, reviewer: item.state.reviewer, flags: item.flags.map((f) => f.flag) },
    });
    return autoRevoked ? settle(item) : item;
  }

  async function emailPrincipal(key: string, principalId: string, data: EmailTemplateData['access-review.notice']): Promise<'sent' | 'skipped' | 'refused'> {
    const principal = await stores.principals.get(principalId);
    if (!principal?.email || !PrincipalStore.isActive(principal)) return 'skipped';
    try {
      await notify.sendEmail({ key, to: [principal.email], template: 'access-review.notice', data, resource: { type: 'access-review', id: data.reviewId } });
      return 'sent';
    } catch (err) {
      // A refusal for good (a bad address) must not hold back the notice to everyone else; anything else is retried.
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        log.warn({ reviewId: data.reviewId, key, type: err.type }, 'access review e-mail refused');
        return 'refused';
      }
      throw err;
    }
  }

  return {
    /**
     * Builds the campaign: one item per active principal that holds a role, with the directory's facts, the flags and
     * the reviewer, then opens it for decisions. Resumes after the last principal it heartbeated on.
     */
    async openAccessReview(input: AccessReviewInput & { openedAt: string }): Promise<{ items: number; open: number; byFlag: Record<Flag, number> }> {
      const { reviewId, openedAt, policy } = input;
      await reviews.createReview({ ...input, status: 'building', createdAt: openedAt, notices: [] });
      const review = await reviewOf(reviewId);
      if (review.status === 'building') {
        const context = Context.current();
        // The directory and key use, each read once: per-principal lookups would scan those collections on FerretDB.
        const staffById = new Map<string, StaffFacts>();
        const staffByPrincipal = new Map<string, StaffFacts>();
        for await (const member of stores.staff.scan()) {
          staffById.set(member.id, member);
          if (member.principalId) staffByPrincipal.set(member.principalId, member);
          if (staffById.size % 1000 === 0) context.heartbeat();
        }
        const lastUse = new Map<string, number>();
        let keysRead = 0;
        for await (const key of stores.apiKeys.scan()) {
          if (key.lastUsedAt) lastUse.set(key.principalId, Math.max(lastUse.get(key.principalId) ?? 0, key.lastUsedAt.getTime()));
          if (++keysRead % 1000 === 0) context.heartbeat();
        }
        const now = new Date(openedAt);
        const active = new Set<string>();
        for await (const p of reviews.principalFacts()) {
          if (PrincipalStore.isActive(p, now)) active.add(p.id);
          if (active.size % 1000 === 0) context.heartbeat();
        }
        const resumeAfter = (context.info.heartbeatDetails as { after?: string } | undefined)?.after;
        let page: AccessReviewItem[] = [];
        const flush = async () => {
          await reviews.insertItems(page);
          if (page.length > 0) context.heartbeat({ after: page[page.length - 1].principalId });
          page = [];
        };
        for await (const principal of reviews.principalFacts(resumeAfter)) {
          // Disabled, expired and role-less principals have no access to recertify.
          if (!active.has(principal.id) || principal.roles.length === 0) continue;
          const member = staffByPrincipal.get(principal.id);
          const manager = member?.managerId ? staffById.get(member.managerId) : undefined;
          const managerPrincipalId = manager && manager.status !== 'leaver' ? manager.principalId : undefined;
          const owner = principal.ownerId ? staffByPrincipal.get(principal.ownerId) : undefined;
          const used = lastUse.get(principal.id);
          const expected = member ? expectedRoles(member.jobRoles, input.roleMapping) : undefined;
          const itemId = itemIdOf(reviewId, principal.id);
          const facts: ReviewItemFacts = {
            itemId,
            kind: 'principal',
            principalId: principal.id,
            entitlements: [...principal.roles],
            principalKind: principal.kind,
            ...(principal.kind === 'person' && { staffStatus: member?.status ?? 'unknown' }),
            ...(principal.ownerId && { ownerId: principal.ownerId, ownerStatus: owner?.status ?? 'unknown' }),
            ...(managerPrincipalId && { managerPrincipalId }),
            ...(expected && { expectedEntitlements: expected }),
            ...(used !== undefined && { lastUsedAt: new Date(used).toISOString() }),
            createdAt: (principal.createdAt ?? now).toISOString(),
          };
          const assigned = reviewerFor(facts);
          // A reviewer who can no longer sign in could never decide: the fallback reviewer takes the item instead.
          const reviewer = assigned && active.has(assigned.reviewer) ? assigned : undefined;
          page.push({
            itemId,
            reviewId,
            principalId: principal.id,
            facts,
            flags: flagsFor(facts, openedAt, { dormantAfterDays: input.dormantAfterDays }),
            reviewerBasis: reviewer?.basis ?? 'fallback',
            state: openReviewItem({ itemId, reviewer: reviewer?.reviewer ?? input.fallbackReviewer, openedAt }, policy),
            version: 0,
          });
          if (page.length >= PAGE) await flush();
        }
        await flush();
        const report = await reportOf(reviewId);
        await reviews.initOpenCount(reviewId, report.pending);
        await reviews.markOpen(reviewId, openedAt, report.items);
        log.info({ reviewId, items: report.items }, 'access review opened');
        return { items: report.items, open: report.pending, byFlag: report.byFlag };
      }
      const report = await reportOf(reviewId);
      return { items: report.items, open: report.pending, byFlag: report.byFlag };
    },

    /**
     * Sends one notice of the campaign. First every item it is due for takes it (compare-and-set; the final notice
     * auto-revokes or flags, and revokes at once); then each reviewer gets one e-mail with the count of their items
     * concerned, and the escalation contact one with the count of escalated items (keys per review, notice and
     * recipient).
     */
    async applyAccessReviewNotice(input: { reviewId: string; notice: CampaignNotice }): Promise<NoticeResult> {
      const { reviewId, notice } = input;
      const review = await reviewOf(reviewId);
      const context = Context.current();
      const result: NoticeResult = { affected: 0, autoRevoked: 0, flaggedUnreviewed: 0, open: 0, emails: 0, emailsRefused: 0 };
      if (notice.kind !== 'opened') {
        let after = (context.info.heartbeatDetails as { after?: string } | undefined)?.after;
        for (;;) {
          const page = await reviews.itemsOf(reviewId, { afterPrincipalId: after, limit: PAGE }).toArray();
          if (page.length === 0) break;
          await Promise.all(
            page.map(async (item) => {
              if (!isOpenItem(item)) {
                // Closed by a decision whose revocation was cut short, or by this notice in an attempt that died.
                if (notice.kind === 'final' && (item.state.status === 'auto-revoked' || item.state.status === 'flagged-unreviewed')) await closeByFinal(item);
                else await settle(item);
                return;
              }
              const { item: saved, applied } = await applyItemNotice(item, review.policy, notice.at);
              if (!applied) return;
              result.affected += 1;
              if (!isOpenItem(saved)) await closeByFinal(saved);
            }),
          );
          after = page[page.length - 1].principalId;
          context.heartbeat({ after });
        }
      }

      // Who hears of it: counted afresh from the items as they are now, so a retry sends the same e-mails.
      const now = Date.parse(notice.at);
      const perReviewer = new Map<string, number>();
      let escalation = 0;
      for await (const item of reviews.itemsOf(reviewId)) {
        const { status, reviewer, deferredUntil } = item.state;
        if (isOpenItem(item)) result.open += 1;
        if (status === 'auto-revoked') result.autoRevoked += 1;
        if (status === 'flagged-unreviewed') result.flaggedUnreviewed += 1;
        let concerned: boolean;
        if (notice.kind === 'final') concerned = status === 'auto-revoked' || status === 'flagged-unreviewed';
        else if (notice.kind === 'escalation') concerned = isOpenItem(item);
        else concerned = status === 'pending' && (deferredUntil === undefined || Date.parse(deferredUntil) <= now);
        if (concerned) perReviewer.set(reviewer, (perReviewer.get(reviewer) ?? 0) + 1);
        if (notice.kind === 'final' ? concerned : status === 'escalated' || status === 'awaiting-second-review') escalation += 1;
      }
      const data = (audience: 'reviewer' | 'escalation', items: number): EmailTemplateData['access-review.notice'] => ({
        notice: notice.kind,
        audience,
        reviewId,
        title: review.title,
        dueAt: review.policy.dueAt,
        items,
        onNoDecision: review.policy.onNoDecision,
        link: `/access-reviews/${reviewId}/items`,
      });
      const noticeKey = `${reviewId}:${notice.kind}-${notice.index + 1}`;
      const outcomes: ('sent' | 'skipped' | 'refused')[] = [];
      for (const [reviewer, items] of perReviewer) {
        context.heartbeat();
        outcomes.push(await emailPrincipal(`${noticeKey}:reviewer:${reviewer}`, reviewer, data('reviewer', items)));
      }
      // The escalation contact hears of what is theirs to decide — items escalated, or waiting for a second review —
      // with every notice, and at the end of what the final notice closed.
      if (escalation > 0) outcomes.push(await emailPrincipal(`${noticeKey}:escalation:${review.escalateTo}`, review.escalateTo, data('escalation', escalation)));
      result.emails = outcomes.filter((o) => o === 'sent').length;
      result.emailsRefused = outcomes.filter((o) => o === 'refused').length;
      await reviews.recordNotice(reviewId, notice);
      return result;
    },

    /** How many items are still open (read from the items themselves, not the count decisions keep). */
    async countOpenAccessReviewItems(input: { reviewId: string }): Promise<number> {
      return (await reportOf(input.reviewId)).pending;
    },

    /**
     * Ends the campaign: every closed item settled (revocations completed, each decision in the evidence trail —
     * the API records them as they are taken, so this only fills a gap a crash left), the report computed and kept.
     */
    async closeAccessReview(input: { reviewId: string; endedAt: string }): Promise<CampaignReport> {
      const review = await reviewOf(input.reviewId);
      if (review.status === 'ended' && review.report) return review.report;
      const context = Context.current();
      const counted: { state: AccessReviewItem['state']; flags: Flag[] }[] = [];
      let seen = 0;
      for await (const found of reviews.itemsOf(input.reviewId)) {
        const item = await settle(found);
        await Promise.all(
          item.state.decisions.map((decision, i) =>
            stores.evidence.append({
              key: `${item.itemId}:decision-${i + 1}`,
              at: new Date(decision.at),
              actor: { id: decision.by, type: 'person' },
              action: 'access-review.decided',
              resource: { type: 'access-review', id: item.reviewId },
              data: { principalId: item.principalId, decision: decision.decision, reason: decision.reason, deferUntil: decision.deferUntil, selfReview: decision.selfReview },
            }),
          ),
        );
        counted.push({ state: item.state, flags: item.flags.map((f) => f.flag) });
        if (++seen % PAGE === 0) context.heartbeat();
      }
      const report = campaignReport(counted);
      await reviews.markEnded(input.reviewId, input.endedAt, report);
      return report;
    },
  };

  async function reportOf(reviewId: string): Promise<CampaignReport> {
    const items: { state: AccessReviewItem['state']; flags: Flag[] }[] = [];
    for await (const item of reviews.itemsOf(reviewId)) {
      items.push({ state: item.state, flags: item.flags.map((f) => f.flag) });
      if (items.length % 1000 === 0) heartbeat();
    }
    return campaignReport(items);
  }
}

export type AccessReviewActivities = ReturnType<typeof accessReviewActivities>;
