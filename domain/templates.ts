/**
 * E-mail templates: one entry per notification kind, each typed by the data it needs. Adding a kind (consent renewal,
 * breach escalation, …) means adding its data type to `EmailTemplateData` and its draft to `TEMPLATES`; the compiler
 * then refuses a caller that names an unknown kind or passes the wrong data.
 *
 * Templates return a draft (subject, paragraphs, an optional call to action) rather than markup, and one layout turns
 * every draft into text and HTML. Escaping therefore happens in one place, and no template can forget it.
 *
 * Pure: no I/O and no clock, so rendering the same input always gives the same message.
 */
import type { ApprovalStatus } from './approval';

export interface EmailTemplateData {
  'approval.requested': { title: string; approvalId: string; link: string; dueAt: string };
  'approval.reminder': { title: string; approvalId: string; link: string; dueAt: string; reminder: number };
  'approval.decided': { title: string; approvalId: string; link: string; outcome: ApprovalStatus; reason?: string; decidedAt?: string };
  'consent.confirmation': { purposeName: string; noticeText: string; confirmLink: string; confirmBy: string };
  'consent.renewal': { purposeName: string; noticeText: string; preferencesLink: string; withdrawLink: string; expiresAt: string };
  'consent.reminder': { purposeName: string; preferencesLink: string; withdrawLink: string; expiresAt: string; reminder: number };
  'vendor.questionnaire': { vendorName: string; link: string; expiresAt: string; reminder: number };
  'vendor.escalation': { vendorName: string; vendorId: string; what: string; dueAt: string; link: string };
  'vendor.certificate-renewal': { vendorName: string; certificate: string; expiresOn: string };
  'audit.corrective-action': { notice: 'opened' | 'reminder' | 'escalation'; actionId: string; title: string; severity: string; dueAt: string; findings: number; owner: string; link: string };
  'access-review.notice': { notice: 'opened' | 'reminder' | 'escalation' | 'final'; audience: 'reviewer' | 'escalation'; reviewId: string; title: string; dueAt: string; items: number; onNoDecision: 'auto-revoke' | 'flag'; link: string };
  'training.notice': { notice: 'assigned' | 'reminder' | 'escalation'; moduleTitle: string; campaignTitle: string; dueAt: string; assignmentId: string; staffName: string; link: string };
  'breach.escalation': {
    incidentTitle: string;
    incidentId: string;
    obligationTitle: string;
    recipient: string;
    citation: string;
    dueAt: string;
    step: string;
    overdue: boolean;
    statutory: boolean;
    verify: boolean;
    link: string;
  };
}

export type EmailKind = keyof EmailTemplateData;

/** A kind together with its data, correlated: what a caller hands over to have an e-mail sent. */
export type EmailContent = { [K in EmailKind]: { template: K; data: EmailTemplateData[K] } }[EmailKind];

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

export interface RenderContext {
  /** Prefix for relative links (`/approvals/…`), e.g. the public URL of the API. */
  baseUrl?: string;
}

/** Thrown for input no retry can fix: an unknown kind (say, from an old workflow history) or an unsafe link. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const TEXT_WIDTH = 72;

interface Draft {
  subject: string;
  paragraphs: string[];
  action?: { label: string; link: string };
  /** A second link, e.g. one-click withdrawal beside "review your choices". */
  secondary?: { label: string; link: string };
}

const OUTCOME_WORDING: Record<ApprovalStatus, string> = {
  approved: 'was approved',
  rejected: 'was rejected',
  expired: 'expired without a decision',
  cancelled: 'was cancelled',
  pending: 'is still pending',
};

const TEMPLATES: { [K in EmailKind]: (data: EmailTemplateData[K]) => Draft } = {
  'approval.requested': (d) => ({
    subject: `Approval requested: ${d.title}`,
    paragraphs: [
      `Your decision is requested on "${d.title}" (approval ${d.approvalId}).`,
      `Please approve or reject it by ${formatInstant(d.dueAt)}. The requester cannot decide their own request.`,
    ],
    action: { label: 'Review the request', link: d.link },
  }),
  'approval.reminder': (d) => ({
    subject: `Reminder ${d.reminder}: approval pending: ${d.title}`,
    paragraphs: [
      `"${d.title}" (approval ${d.approvalId}) is still waiting for a decision.`,
      `It expires at ${formatInstant(d.dueAt)} if nobody decides it.`,
    ],
    action: { label: 'Review the request', link: d.link },
  }),
  'approval.decided': (d) => ({
    subject: `${capitalise(d.outcome)}: ${d.title}`,
    paragraphs: [
      `"${d.title}" (approval ${d.approvalId}) ${OUTCOME_WORDING[d.outcome] ?? `is ${d.outcome}`}${d.decidedAt ? ` on ${formatInstant(d.decidedAt)}` : ''}.`,
      ...(d.reason && d.reason.trim() !== '' ? [`Reason: ${d.reason.trim()}`] : []),
    ],
    action: { label: 'See the decision', link: d.link },
  }),
  'consent.confirmation': (d) => ({
    subject: `Please confirm: ${d.purposeName}`,
    paragraphs: [
      `You asked to receive "${d.purposeName}". Please confirm that this was you by ${formatInstant(d.confirmBy)}; without confirmation nothing will be sent.`,
      `What you agree to: ${d.noticeText}`,
    ],
    action: { label: 'Confirm', link: d.confirmLink },
  }),
  'consent.renewal': (d) => ({
    subject: `Do you still want: ${d.purposeName}?`,
    paragraphs: [
      `Your consent to "${d.purposeName}" ends on ${formatInstant(d.expiresAt)}. If you want it to continue, renew it; if you do nothing, it simply ends.`,
      `What it covers: ${d.noticeText}`,
    ],
    action: { label: 'Renew or change your choices', link: d.preferencesLink },
    secondary: { label: 'Withdraw now (one click)', link: d.withdrawLink },
  }),
  'consent.reminder': (d) => ({
    subject: `Reminder ${d.reminder}: your consent to ${d.purposeName} ends soon`,
    paragraphs: [`Your consent to "${d.purposeName}" ends on ${formatInstant(d.expiresAt)} unless you renew it.`],
    action: { label: 'Renew or change your choices', link: d.preferencesLink },
    secondary: { label: 'Withdraw now (one click)', link: d.withdrawLink },
  }),
  'vendor.questionnaire': (d) => ({
    subject: d.reminder > 0 ? `Reminder ${d.reminder}: due-diligence questionnaire for ${d.vendorName}` : `Due-diligence questionnaire for ${d.vendorName}`,
    paragraphs: [
      `${d.reminder > 0 ? 'We have not yet received' : 'Please complete'} the security and privacy questionnaire for ${d.vendorName}. You can save your answers and come back; submit once when you are done.`,
      `The link works without an account until ${formatInstant(d.expiresAt)}. Please do not forward it: it opens this questionnaire only.`,
    ],
    action: { label: 'Open the questionnaire', link: d.link },
  }),
  'vendor.escalation': (d) => ({
    subject: `Overdue: ${d.what} (${d.vendorName})`,
    paragraphs: [`${d.what} for vendor ${d.vendorName} (${d.vendorId}) was due at ${formatInstant(d.dueAt)} and is not done.`, 'As the vendor\'s internal owner, please follow it up.'],
    action: { label: 'Open the vendor', link: d.link },
  }),
  'vendor.certificate-renewal': (d) => ({
    subject: `Renewed certificate needed: ${d.certificate} (${d.vendorName})`,
    paragraphs: [`Our records show that your ${d.certificate} certificate expires on ${d.expiresOn}.`, 'Please send us the renewed certificate or report before then, so that we can keep our assessment of your services current.'],
  }),
  'audit.corrective-action': (d) => ({
    subject: `${d.notice === 'escalation' ? 'OVERDUE corrective action' : d.notice === 'reminder' ? 'Reminder: corrective action due' : 'Corrective action assigned'}: ${d.title}`,
    paragraphs: [
      d.notice === 'escalation'
        ? `Corrective action ${d.actionId} (${d.severity}), owned by ${d.owner}, was due at ${formatInstant(d.dueAt)} and is neither closed nor risk-accepted.`
        : d.notice === 'reminder'
          ? `Corrective action ${d.actionId} (${d.severity}) is due at ${formatInstant(d.dueAt)}.`
          : `An audit found ${d.findings} record(s) needing correction. You own corrective action ${d.actionId} (${d.severity}), due at ${formatInstant(d.dueAt)}.`,
      d.notice === 'escalation' ? 'Please follow it up with the owner, or accept the risk with a reason.' : 'Fix the records, then submit evidence of the fix; a different person verifies it.',
    ],
    action: { label: 'Open the corrective action', link: d.link },
  }),
  'training.notice': (d) => ({
    subject: d.notice === 'escalation' ? `Overdue training: ${d.staffName} — ${d.moduleTitle}` : d.notice === 'reminder' ? `Reminder: ${d.moduleTitle} is due` : `Training assigned: ${d.moduleTitle}`,
    paragraphs: [
      d.notice === 'escalation'
        ? `${d.staffName}, who reports to you, has not completed "${d.moduleTitle}" (${d.campaignTitle}), due at ${formatInstant(d.dueAt)}. Please follow it up with them.`
        : `${d.notice === 'reminder' ? 'A reminder: ' : ''}please complete "${d.moduleTitle}" (${d.campaignTitle}) by ${formatInstant(d.dueAt)}.`,
      d.notice === 'escalation' ? `Assignment ${d.assignmentId}.` : 'When you have done it, confirm it (and answer the quiz, if the module has one) with your own credentials.',
    ],
    action: { label: d.notice === 'escalation' ? 'Open the assignment' : 'Open the training', link: d.link },
  }),
  'access-review.notice': (d) => {
    const closing = d.onNoDecision === 'auto-revoke' ? 'revoked automatically' : 'flagged as unreviewed';
    const yours = d.audience === 'escalation' ? 'waiting for an escalation or second review' : 'assigned to you';
    return {
      subject:
        d.notice === 'final'
          ? `Access review closed: ${d.items} item(s) ${closing}: ${d.title}`
          : d.notice === 'escalation'
            ? `OVERDUE access review: ${d.items} item(s) escalated: ${d.title}`
            : d.notice === 'reminder'
              ? `Reminder: ${d.items} access review item(s) due ${formatInstant(d.dueAt)}: ${d.title}`
              : `Access review: ${d.items} account(s) to recertify: ${d.title}`,
      paragraphs: [
        d.notice === 'final'
          ? `Access review ${d.reviewId} has closed. ${d.items} item(s) ${d.audience === 'escalation' ? '' : 'you were to review '}got no decision and were ${closing}.`
          : d.notice === 'escalation'
            ? `Access review ${d.reviewId} was due at ${formatInstant(d.dueAt)}. ${d.items} item(s) ${d.audience === 'escalation' ? 'still have no decision and are now escalated to you' : 'assigned to you still have no decision and are now escalated'}.`
            : `Access review ${d.reviewId}: ${d.items} item(s) ${yours}. Keep or revoke each account's access by ${formatInstant(d.dueAt)}.`,
        d.notice === 'final'
          ? 'The evidence trail records each of them; access that was revoked has to be requested again.'
          : `Without a decision, access is ${closing} when the escalation period ends. A decision on your own access needs a second reviewer.`,
      ],
      action: { label: 'Open the review items', link: d.link },
    };
  },
  'breach.escalation': (d) => ({
    subject: `${d.overdue ? 'OVERDUE' : d.step === 'due' ? 'DUE NOW' : `Deadline ${d.step} elapsed`}: ${d.obligationTitle} (${d.incidentTitle})`,
    paragraphs: [
      d.overdue
        ? `The deadline to notify ${d.recipient} for incident ${d.incidentId} passed at ${formatInstant(d.dueAt)} and no notice is recorded (escalation ${d.step}).`
        : d.step === 'due'
          ? `The deadline to notify ${d.recipient} for incident ${d.incidentId} is now: ${formatInstant(d.dueAt)}.`
          : `${d.step} of the time to notify ${d.recipient} for incident ${d.incidentId} has elapsed. Deadline: ${formatInstant(d.dueAt)}.`,
      `Obligation: ${d.obligationTitle} (${d.citation}).${d.statutory ? '' : ' The law sets no fixed period; this is the organisation\'s own target.'}${d.verify ? ' Verify this rule: its source is weak or conflicting.' : ''}`,
      'Record the notice (or an exemption with its justification) on the incident to stop these messages. A late notice must give the reasons for the delay.',
    ],
    action: { label: 'Open the incident', link: d.link },
  }),
};

export function isEmailKind(kind: string): kind is EmailKind {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, kind);
}

export function renderEmail<K extends EmailKind>(kind: K, data: EmailTemplateData[K], context: RenderContext = {}): RenderedEmail {
  if (!isEmailKind(kind)) throw new TemplateError(`unknown e-mail template ${JSON.stringify(kind)}`);
  // The map is exhaustive by type; the cast only restores the kind/data correlation TypeScript loses on lookup.
  const draft = (TEMPLATES[kind] as (data: EmailTemplateData[K]) => Draft)(data);
  return layout(draft, context);
}

function layout(draft: Draft, context: RenderContext): RenderedEmail {
  const url = draft.action && resolveLink(draft.action.link, context.baseUrl);
  const secondaryUrl = draft.secondary && resolveLink(draft.secondary.link, context.baseUrl);
  const subject = oneLine(draft.subject, 200);
  const text = [...draft.paragraphs.map((p) => wrap(p, TEXT_WIDTH)), ...(draft.action && url ? [`${draft.action.label}:\n${url}`] : []), ...(draft.secondary && secondaryUrl ? [`${draft.secondary.label}:\n${secondaryUrl}`] : [])].join('\n\n') + '\n';
  const html = [
    '<!doctype html>',
    `<html><body style="font-family: sans-serif; line-height: 1.5">`,
    ...draft.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(draft.action && url ? [`<p><a href="${escapeHtml(url)}">${escapeHtml(draft.action.label)}</a></p>`] : []),
    ...(draft.secondary && secondaryUrl ? [`<p><a href="${escapeHtml(secondaryUrl)}">${escapeHtml(draft.secondary.label)}</a></p>`] : []),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** Links must stay http(s): a `javascript:` or `data:` link in a compliance mail would be an attack, not a typo. */
function resolveLink(link: string, baseUrl: string | undefined): string {
  const relative = link.startsWith('/') && !link.startsWith('//');
  // Without a base a relative link cannot be made absolute; show it as given rather than lose it.
  if (relative && !baseUrl) return link;
  // Appended rather than resolved with `new URL(link, base)`, which would drop a path prefix the API is mounted under.
  const candidate = relative && baseUrl ? `${baseUrl.replace(/\/+$/, '')}${link}` : link;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new TemplateError('link is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TemplateError('link must be an http(s) URL');
  return url.toString();
}

/**
 * Plain text wrapped the way mail clients expect. Short ASCII lines also let the message travel as 7bit instead of
 * quoted-printable, so the raw message (an outbox .eml, a test's capture) reads as written. Long words such as URLs
 * stay whole.
 */
function wrap(paragraph: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** ISO instants shown unambiguously in UTC; anything unparsable is shown as given rather than hidden. */
function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Subjects are single header lines: user-supplied titles must not smuggle in line breaks. */
function oneLine(value: string, max: number): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
