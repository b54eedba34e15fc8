import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from '../../domain/webhook-signature';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ id: 'evt_1', type: 'approval.requested', occurredAt: '2025-01-01T00:00:00Z', data: { approvalId: 'apr_1' } });
const now = 1_750_000_000;

describe('signWebhook', () => {
  it('produces t=<ts>,v1=<hex HMAC-SHA256 of "ts.body">, as documented for integrators', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(secret, now, body)).toBe(`t=${now},v1=${expected}`);
  });

  it('signs bytes and strings alike', () => {
    expect(signWebhook(secret, now, Buffer.from(body))).toBe(signWebhook(secret, now, body));
  });

  it('refuses a timestamp that is not whole seconds (e.g. milliseconds)', () => {
    expect(() => signWebhook(secret, 1.5, body)).toThrow();
    expect(() => signWebhook(secret, Date.now(), body)).toThrow();
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhook(secret, now, body);

  it('accepts a valid signature', () => {
    expect(verifyWebhookSignature(secret, header, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), now + 299)).toBe(true);
  });

  it('rejects a tampered body', () => {
    expect(verifyWebhookSignature(secret, header, body.replace('apr_1', 'apr_2'), now)).toBe(false);
    expect(verifyWebhookSignature(secret, header, `${body} `, now)).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(verifyWebhookSignature('whsec_other', header, body, now)).toBe(false);
  });

  it('rejects an expired timestamp', () => {
    expect(verifyWebhookSignature(secret, header, body, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, now + 61, 60)).toBe(false);
  });

  it('rejects a timestamp too far in the future', () => {
    expect(verifyWebhookSignature(secret, header, body, now - 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, now - 300)).toBe(true);
  });

  it('rejects a re-dated header: the timestamp is part of what is signed', () => {
    const [, v1] = header.split(',');
    expect(verifyWebhookSignature(secret, `t=${now + 100},${v1}`, body, now + 100)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no timestamp', header.split(',')[1]],
    ['no signature', `t=${now}`],
    ['garbage', 'not a signature'],
    ['non-numeric timestamp', header.replace(`t=${now}`, 't=soon')],
    ['short signature', `t=${now},v1=abcd`],
    ['non-hex signature', `t=${now},v1=${'z'.repeat(64)}`],
    ['two timestamps', `t=${now},${header}`],
  ])('rejects a malformed header (%s)', (_case, value) => {
    expect(verifyWebhookSignature(secret, value, body, now)).toBe(false);
  });

  it('accepts when any of several v1 signatures matches and ignores unknown schemes', () => {
    const [t, v1] = header.split(',');
    expect(verifyWebhookSignature(secret, `${t},v1=${'0'.repeat(64)},${v1},v2=future`, body, now)).toBe(true);
  });
});
