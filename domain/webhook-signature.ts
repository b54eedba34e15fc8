/**
 * Webhook signatures — how a receiver knows a request really comes from ComplyFlow and was not replayed.
 *
 * Every delivery carries the header
 *
 *     ComplyFlow-Signature: t=<unix seconds>,v1=<hex>
 *
 * where `<hex>` is the lower-case hex HMAC-SHA256, keyed with the endpoint's signing secret (the whole `whsec_…`
 * string as UTF-8 bytes), of the string `<t>.<raw request body>`.
 *
 * To verify, a receiver:
 *   1. reads the raw body bytes exactly as received — before any JSON parsing, which would change them;
 *   2. splits the header on `,` into `key=value` pairs, takes `t` and every `v1` (more than one `v1` may appear in
 *      the future, e.g. while a secret is rotated; accept the request when any of them matches);
 *   3. refuses the request when `t` is more than 300 seconds away from its own clock, in either direction, so a
 *      captured request cannot be replayed later;
 *   4. computes the HMAC itself and compares it with a constant-time comparison (never `==`, which leaks how many
 *      leading characters matched);
 *   5. de-duplicates on the `ComplyFlow-Delivery` header: a retried delivery keeps its id but is signed afresh with a
 *      new timestamp, so signatures differ between attempts of the same delivery.
 *
 * `verifyWebhookSignature` below does steps 2–4 and is what our own tests use.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'ComplyFlow-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestampSeconds: number, body: string | Buffer): string {
  // Above 1e11 s (the year 5138) the caller almost certainly passed Date.now() milliseconds.
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0 || timestampSeconds > 1e11) throw new Error('timestamp must be whole seconds since the epoch');
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const parsed = parseHeader(header);
  if (!parsed) return false;
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  let matched = false;
  // Every candidate is compared, so the time taken does not reveal which one matched.
  for (const candidate of parsed.signatures) {
    const given = Buffer.from(candidate, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

function hmacHex(secret: string, timestampSeconds: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

function parseHeader(header: string | undefined): { timestamp: number; signatures: string[] } | undefined {
  if (!header || header.length > 4096) return undefined;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return undefined;
      signatures.push(value);
    }
    // Other keys are ignored, so a later scheme (v2=…) can be added without breaking today's receivers.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}
