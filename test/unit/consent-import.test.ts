import { parseImportRow } from '../../domain/consent-import';

const now = new Date('2026-06-01T00:00:00Z');
const good = { externalId: 'crm-1', email: 'Ann@Example.org', country: 'de', purposeId: 'newsletter', grantedAt: '2025-03-01T10:00:00Z' };

describe('consent import rows', () => {
  it('accepts and normalises a good row', () => {
    const { row, problems } = parseImportRow(2, good, now);
    expect(problems).toEqual([]);
    expect(row).toMatchObject({ subject: { externalId: 'crm-1', email: 'ann@example.org', country: 'DE' }, purposeId: 'newsletter', grantedAt: '2025-03-01T10:00:00.000Z', consentType: 'express' });
  });

  it.each([
    ['missing externalId', { ...good, externalId: '' }, 'externalId'],
    ['bad e-mail', { ...good, email: 'not-an-email' }, 'email'],
    ['bad country', { ...good, country: 'UK' }, 'country'],
    ['bad phone', { ...good, phone: '12' }, 'phone'],
    ['missing purpose', { ...good, purposeId: '' }, 'purposeId'],
    ['malformed purpose id', { ...good, purposeId: 'News Letter' }, 'purposeId'],
    ['missing grant time', { ...good, grantedAt: '' }, 'grantedAt'],
    ['grant time without zone', { ...good, grantedAt: '2025-03-01 10:00' }, 'grantedAt'],
    ['grant time in the future', { ...good, grantedAt: '2027-01-01T00:00:00Z' }, 'grantedAt'],
    ['unknown consent type', { ...good, consentType: 'assumed' }, 'consentType'],
    ['bad source URL', { ...good, sourceUrl: 'javascript:alert(1)' }, 'sourceUrl'],
    ['unknown column', { ...good, favouriteColour: 'blue' }, 'favouriteColour'],
    ['non-text value', { ...good, purposeId: 42 }, 'purposeId'],
  ])('reports %s by line and field', (_name, raw, field) => {
    const { row, problems } = parseImportRow(7, raw as Record<string, unknown>, now);
    expect(row).toBeUndefined();
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems.every((p) => p.line === 7)).toBe(true);
  });

  it('reports every problem of a row at once', () => {
    const { problems } = parseImportRow(3, { externalId: 'x', email: 'bad', country: 'ZZ', purposeId: '', grantedAt: 'soon' }, now);
    expect(problems.map((p) => p.field).sort()).toEqual(['country', 'email', 'grantedAt', 'purposeId']);
  });
});
