import { ApplicationFailure, Context } from '@temporalio/activity';
import { renderEmail, type EmailContent, type RenderedEmail } from '../domain/templates';
import { SIGNATURE_HEADER, signWebhook } from '../domain/webhook-signature';
import { publicUrl } from '../platform/config';
import { createMailer, type Mailer, type SendResult } from '../platform/mailer';
import { DeliveryStore, type Delivery, type DeliveryAttempt, type DeliveryChannel } from '../store/deliveries';
import { WebhookEndpointStore } from '../store/webhook-endpoints';
import type { ActivityDeps } from './deps';

/**
 * Notification activities: e-mail and signed webhooks, both idempotent through the delivery log (store/deliveries).
 *
 * Each call carries a deterministic key. The first call claims the delivery under that key; a retry, or a second
 * call after a worker crash, finds it and does nothing if it was delivered. Exactly-once is impossible across a crash
 * between "the receiver accepted it" and "we wrote that down", so the rest is left to receivers: e-mails carry a
 * Message-ID derived from the key, webhooks an `Idempotency-Key` / `ComplyFlow-Delivery` header equal to it.
 *
 * Failures are classified for Temporal: transient ones (network, timeouts, 5xx HTTP, 4xx SMTP, 408/429) are thrown as
 * retryable and retried with backoff; permanent ones (4xx HTTP, 5xx SMTP, bad input) as non-retryable, so a process
 * does not spend its retries on a receiver that has said no. What is thrown is a message with e-mail addresses and
 * URL credentials removed, never the original error: failure messages land in workflow history and logs unencrypted.
 *
 * PII: e-mail addresses arrive in the activity input (workflow payloads are encrypted by our codec) and are stored
 * only encrypted. Webhook bodies leave our systems for someone else's: they must carry ids and non-personal data
 * only — receivers fetch details through the API, where access is checked and logged.
 */
export type SendEmailRequest = EmailContent & {
  key: string;
  to: string[];
  resource?: { type: string; id: string };
};

export interface SendEmailResult {
  deliveryId: string;
  status: 'delivered' | 'already-delivered';
}

export interface WebhookEvent {
  type: string;
  id: string;
  occurredAt: string;
  /** Ids and non-personal facts only: this leaves our systems. */
  data: Record<string, unknown>;
}

export interface DeliverWebhookRequest {
  key: string;
  endpointId: string;
  event: WebhookEvent;
  resource?: { type: string; id: string };
}

export interface DeliverWebhookResult {
  deliveryId: string;
  status: 'delivered' | 'already-delivered' | 'endpoint-inactive';
  responseCode?: number;
}

const MAX_RECIPIENTS = 100;
/** Deliberately loose: the SMTP server is the judge; this only stops input no server could accept. */
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
/** A Retry-After longer than this is not honoured as such; the retry policy's backoff applies instead. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export function notificationActivities(deps: ActivityDeps, options: { mailer?: Mailer } = {}) {
  const deliveries = new DeliveryStore(deps.db, deps.crypto);
  const endpoints = new WebhookEndpointStore(deps.db, deps.crypto);
  const mailer = options.mailer ?? createMailer(deps.config);
  const baseUrl = publicUrl(deps.config);
  const log = deps.logger.child({ component: 'notifications' });

  /** Records a failed attempt without letting a database hiccup hide the failure being recorded. */
  async function recordFailure(deliveryId: string, attempt: DeliveryAttempt): Promise<void> {
    log.warn({ deliveryId, attempt: attempt.attempt, outcome: attempt.outcome, responseCode: attempt.responseCode, error: attempt.error }, 'delivery attempt failed');
    try {
      await deliveries.recordAttempt(deliveryId, attempt);
    } catch (err) {
      log.error({ deliveryId, err: describeError(err) }, 'could not record delivery attempt');
    }
  }

  return {
    /** Renders a template and e-mails it, at most once per key as far as the delivery log can tell. */
    async sendEmail(req: SendEmailRequest): Promise<SendEmailResult> {
      const context = activityContext();
      const deliveryId = req.key;
      const delivery = await deliveries.claim(deliveryId, {
        channel: 'email',
        kind: req.template,
        // Malformed input is still logged (then refused below) rather than crashing the claim into endless retries.
        recipients: Array.isArray(req.to) ? req.to.map(String) : [],
        ...(req.resource && { resource: req.resource }),
        ...workflowOf(context),
      });
      assertSameDelivery(delivery, 'email', req.template);
      if (delivery.status === 'delivered') return { deliveryId, status: 'already-delivered' };

      const attempt = context?.info.attempt ?? delivery.attempts.length + 1;
      const at = new Date();
      let message: RenderedEmail;
      try {
        checkRecipients(req.to);
        message = renderEmail(req.template, req.data, { baseUrl });
      } catch (err) {
        const error = describeError(err);
        await recordFailure(deliveryId, { attempt, at, outcome: 'rejected', error });
        throw ApplicationFailure.nonRetryable(`e-mail ${deliveryId} cannot be sent: ${error}`, 'InvalidEmail');
      }

      await deliveries.markSending(deliveryId, at);
      let sent: SendResult;
      try {
        sent = await mailer.send({ key: deliveryId, to: req.to, ...message });
      } catch (err) {
        const permanent = isPermanentSmtpError(err);
        const responseCode = (err as { responseCode?: unknown }).responseCode;
        const error = describeError(err);
        await recordFailure(deliveryId, {
          attempt,
          at,
          outcome: permanent ? 'rejected' : 'failed',
          durationMs: Date.now() - at.getTime(),
          ...(typeof responseCode === 'number' && { responseCode }),
          error,
        });
        if (permanent) throw ApplicationFailure.nonRetryable(`e-mail ${deliveryId} rejected: ${error}`, 'EmailRejected');
        throw ApplicationFailure.retryable(`e-mail ${deliveryId} not sent: ${error}`, 'EmailFailed');
      }
      // Outside the try: if only this write fails, the retry re-sends under the same Message-ID, which is the best
      // anyone can do, but it must not be logged as a failed send.
      const responseCode = smtpCode(sent.response);
      await deliveries.markDelivered(deliveryId, {
        attempt,
        at,
        durationMs: Date.now() - at.getTime(),
        ...(responseCode !== undefined && { responseCode }),
        ...(sent.rejectedCount > 0 && { error: `${sent.rejectedCount} of ${req.to.length} recipients refused by the server` }),
      });
      log.info({ deliveryId, attempt, template: req.template }, 'e-mail delivered');
      return { deliveryId, status: 'delivered' };
    },

    /** Ids of the active endpoints subscribed to the event type, in a stable order. */
    async webhookTargets(eventType: string, scope: { purposeId?: string } = {}): Promise<string[]> {
      return (await endpoints.targetsFor(eventType, scope)).map((e) => e.id);
    },

    /** POSTs one signed event to one endpoint; one call per endpoint, so each endpoint retries on its own. */
    async deliverWebhook(req: DeliverWebhookRequest): Promise<DeliverWebhookResult> {
      const context = activityContext();
      const deliveryId = req.key;
      const { event } = req;
      if (!event?.type || !event.id) throw ApplicationFailure.nonRetryable('webhook event needs a type and an id', 'InvalidWebhookEvent');
      const delivery = await deliveries.claim(deliveryId, {
        channel: 'webhook',
        kind: event.type,
        endpointId: req.endpointId,
        eventId: event.id,
        ...(req.resource && { resource: req.resource }),
        ...workflowOf(context),
      });
      assertSameDelivery(delivery, 'webhook', event.type, req.endpointId);
      if (delivery.status === 'delivered') return { deliveryId, status: 'already-delivered' };

      const endpoint = await endpoints.get(req.endpointId);
      const secret = endpoint?.active ? await endpoints.secretOf(endpoint.id) : undefined;
      if (!endpoint?.active || secret === undefined) {
        // Deactivated between targeting and delivery: the owner asked us to stop, so this is success, not failure.
        await deliveries.markSkipped(deliveryId, endpoint ? 'endpoint deactivated' : 'endpoint not found');
        return { deliveryId, status: 'endpoint-inactive' };
      }

      const attempt = context?.info.attempt ?? delivery.attempts.length + 1;
      const body = JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data ?? {} });
      // Signed afresh on every attempt: the timestamp must be recent for the receiver's replay check.
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'ComplyFlow-Webhooks/1',
        'ComplyFlow-Event': event.type,
        'ComplyFlow-Delivery': deliveryId,
        'Idempotency-Key': deliveryId,
        [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(Date.now() / 1000), body),
      };
      const timeoutMs = attemptTimeout(deps.config.webhookTimeoutMs, context);
      const at = new Date();
      await deliveries.markSending(deliveryId, at);

      let response: Response;
      try {
        const timeout = AbortSignal.timeout(timeoutMs);
        // Redirects are not followed: a 30x would turn the POST into a GET, or carry the signed event elsewhere.
        response = await fetch(endpoint.url, { method: 'POST', headers, body, redirect: 'manual', signal: context ? AbortSignal.any([timeout, context.cancellationSignal]) : timeout });
      } catch (err) {
        const error = (err as Error)?.name === 'TimeoutError' ? `no response within ${timeoutMs} ms` : describeError(err);
        await recordFailure(deliveryId, { attempt, at, outcome: 'failed', durationMs: Date.now() - at.getTime(), error });
        throw ApplicationFailure.retryable(`webhook ${deliveryId} not delivered: ${error}`, 'WebhookFailed');
      }
      // The body is not needed (receivers are told to answer 2xx quickly); discarding it frees the connection.
      await response.body?.cancel().catch(() => undefined);

      const status = response.status;
      const durationMs = Date.now() - at.getTime();
      if (status >= 200 && status < 300) {
        await deliveries.markDelivered(deliveryId, { attempt, at, durationMs, responseCode: status });
        log.info({ deliveryId, attempt, endpointId: endpoint.id, responseCode: status }, 'webhook delivered');
        return { deliveryId, status: 'delivered', responseCode: status };
      }
      const retryable = status >= 500 || status === 408 || status === 429;
      const error = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed; update the endpoint URL` : `HTTP ${status}`;
      await recordFailure(deliveryId, { attempt, at, outcome: retryable ? 'failed' : 'rejected', durationMs, responseCode: status, error });
      if (!retryable) throw ApplicationFailure.nonRetryable(`webhook ${deliveryId} refused: ${error}`, 'WebhookRejected');
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      throw ApplicationFailure.create({
        message: `webhook ${deliveryId} not delivered: ${error}`,
        type: 'WebhookFailed',
        nonRetryable: false,
        ...(retryAfter !== undefined && { nextRetryDelay: retryAfter }),
      });
    },
  };
}

export type NotificationActivities = ReturnType<typeof notificationActivities>;

/** The activity context, or undefined when called directly (tests, scripts): these activities work either way. */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function workflowOf(context: Context | undefined): { workflowId?: string } {
  const workflowId = context?.info.workflowExecution?.workflowId;
  return workflowId ? { workflowId } : {};
}

/** A key reused for a different delivery is a bug in the caller; sending anyway would hide it. */
function assertSameDelivery(delivery: Delivery, channel: DeliveryChannel, kind: string, endpointId?: string): void {
  if (delivery.channel !== channel || delivery.kind !== kind || delivery.endpointId !== endpointId) {
    throw ApplicationFailure.nonRetryable(`idempotency key ${delivery.id} already names a different delivery`, 'IdempotencyKeyConflict');
  }
}

function checkRecipients(to: string[]): void {
  if (!Array.isArray(to) || to.length === 0) throw new Error('no recipients');
  if (to.length > MAX_RECIPIENTS) throw new Error(`more than ${MAX_RECIPIENTS} recipients`);
  const invalid = to.filter((address) => typeof address !== 'string' || !ADDRESS.test(address)).length;
  if (invalid > 0) throw new Error(`${invalid} invalid recipient address(es)`);
}

/**
 * 5xx SMTP replies are permanent by definition (RFC 5321); 4xx and connection trouble are not. Authentication
 * failures are the exception: they are a configuration mistake an operator can fix while the retries run.
 */
function isPermanentSmtpError(err: unknown): boolean {
  const { responseCode, code } = err as { responseCode?: unknown; code?: unknown };
  if (code === 'EAUTH') return false;
  if (typeof responseCode === 'number') return responseCode >= 500 && responseCode < 600;
  // Refused before anything was sent (e.g. no valid recipient): sending again cannot change that.
  return code === 'EENVELOPE' || code === 'EMESSAGE';
}

function smtpCode(response: string): number | undefined {
  const match = /^([2-5]\d\d)\b/.exec(response);
  return match ? Number(match[1]) : undefined;
}

/** Leaves room for recording the outcome before Temporal's start-to-close timeout fires. */
function attemptTimeout(configuredMs: number, context: Context | undefined): number {
  const limit = context?.info.startToCloseTimeoutMs;
  return limit && limit > 4_000 ? Math.min(configuredMs, limit - 3_000) : configuredMs;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** Anything that looks like `local@host` — an address, or the credentials of `smtp://user:pass@host`. */
const ADDRESS_LIKE = /[^\s<>"'(),;]+@[^\s<>"'(),;]+/g;

/** An error as text safe for the delivery log, logs and workflow history: no addresses, no credentials. */
function describeError(err: unknown): string {
  // Duck-typed: errors from another realm (a VM context, a worker thread) fail `instanceof Error`.
  const message = (err as { message?: unknown } | undefined)?.message;
  const base = typeof message === 'string' ? message : String(err);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  const text = detail ? `${base} (${detail})` : base;
  return text.replace(ADDRESS_LIKE, '[redacted]').replace(/\s+/g, ' ').trim().slice(0, 300);
}
