import { isEmailKind, renderEmail, TemplateError, type EmailKind } from '../../domain/templates';

const base = { title: 'Vendor Acme: data processing agreement', approvalId: 'apr_123', link: '/approvals/apr_123' };

describe('renderEmail', () => {
  it('renders an approval request with an absolute link and the due date in UTC', () => {
    const mail = renderEmail('approval.requested', { ...base, dueAt: '2025-03-04T05:06:07.000Z' }, { baseUrl: 'https://comply.example.com' });
    expect(mail.subject).toBe('Approval requested: Vendor Acme: data processing agreement');
    expect(mail.text).toContain('apr_123');
    expect(mail.text).toContain('2025-03-04 05:06 UTC');
    expect(mail.text).toContain('https://comply.example.com/approvals/apr_123');
    expect(mail.html).toContain('href="https://comply.example.com/approvals/apr_123"');
  });

  it('keeps a path prefix of the base URL', () => {
    const mail = renderEmail('approval.requested', { ...base, dueAt: '2025-03-04T05:06:07Z' }, { baseUrl: 'https://example.com/complyflow/' });
    expect(mail.text).toContain('https://example.com/complyflow/approvals/apr_123');
  });

  it('numbers reminders', () => {
    const mail = renderEmail('approval.reminder', { ...base, dueAt: '2025-03-04T05:06:07Z', reminder: 2 });
    expect(mail.subject).toBe('Reminder 2: approval pending: Vendor Acme: data processing agreement');
    expect(mail.text).toContain('/approvals/apr_123');
  });

  it.each([
    ['approved', 'Approved: ', 'was approved'],
    ['rejected', 'Rejected: ', 'was rejected'],
    ['expired', 'Expired: ', 'expired without a decision'],
    ['cancelled', 'Cancelled: ', 'was cancelled'],
  ] as const)('words the %s outcome', (outcome, subjectPrefix, wording) => {
    const mail = renderEmail('approval.decided', { ...base, outcome, reason: 'Contract signed' });
    expect(mail.subject.startsWith(subjectPrefix)).toBe(true);
    expect(mail.text.replace(/\n/g, ' ')).toContain(wording);
    expect(mail.text).toContain('Reason: Contract signed');
  });

  it('leaves out an empty reason', () => {
    const mail = renderEmail('approval.decided', { ...base, outcome: 'expired', reason: '  ' });
    expect(mail.text).not.toContain('Reason');
  });

  it('escapes user text in the HTML part but keeps it readable in the text part', () => {
    const mail = renderEmail('approval.requested', { ...base, title: '<script>alert("x")</script> & co', dueAt: '2025-01-01T00:00:00Z' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(mail.text).toContain('<script>alert("x")</script> & co');
  });

  it('keeps subjects on one line', () => {
    const mail = renderEmail('approval.requested', { ...base, title: 'Evil\r\nBcc: someone@example.com', dueAt: '2025-01-01T00:00:00Z' });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe('Approval requested: Evil Bcc: someone@example.com');
  });

  it('refuses links that are not http(s)', () => {
    expect(() => renderEmail('approval.requested', { ...base, link: 'javascript:alert(1)', dueAt: '2025-01-01T00:00:00Z' })).toThrow(TemplateError);
    expect(() => renderEmail('approval.requested', { ...base, link: '//evil.example/x', dueAt: '2025-01-01T00:00:00Z' }, { baseUrl: 'https://a.example' })).toThrow(TemplateError);
  });

  it('refuses an unknown kind at run time, as the compiler does at build time', () => {
    // @ts-expect-error — not a kind
    expect(() => renderEmail('breach.escalated', { title: 'x' })).toThrow(TemplateError);
    expect(isEmailKind('approval.requested')).toBe(true);
    expect(isEmailKind('toString')).toBe(false);
  });

  it('wraps the text part at 72 columns without breaking long words such as links', () => {
    const mail = renderEmail('approval.requested', { ...base, title: 'word '.repeat(40).trim(), dueAt: '2025-01-01T00:00:00Z' }, { baseUrl: `https://example.com/${'x'.repeat(80)}` });
    const lines = mail.text.split('\n');
    expect(lines.filter((l) => !l.startsWith('https://')).every((l) => l.length <= 72)).toBe(true);
    expect(lines).toContain(`https://example.com/${'x'.repeat(80)}/approvals/apr_123`);
  });

  it('is deterministic', () => {
    const data = { ...base, dueAt: '2025-03-04T05:06:07Z' };
    expect(renderEmail('approval.requested', data)).toEqual(renderEmail('approval.requested', data));
  });
});

// Type-level checks, verified by `tsc` (ts-jest runs with isolatedModules and does not type-check).
export function typeChecks(kind: EmailKind): void {
  // @ts-expect-error — approval.reminder needs its reminder number
  renderEmail('approval.reminder', { ...base, dueAt: '' });
  // @ts-expect-error — outcome must be an approval status
  renderEmail('approval.decided', { ...base, outcome: 'maybe' });
  void kind;
}
