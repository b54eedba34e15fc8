import type { ConsentType } from './consent-policy';
import { validateSubject, type SubjectInput } from './subject';

/**
 * One row of a consent import (CSV column or JSON Lines field names): who the person is, which purpose they
 * consented to and when. Validation is pure and reports every problem of a row by field.
 */
export interface ImportRow {
  subject: SubjectInput & { externalId: string };
  purposeId: string;
  grantedAt: string;
  consentType: ConsentType;
  noticeVersionId?: string;
  source?: { url?: string; formId?: string };
}

/** Names the grant a row records: importing the same row again (this file or another) finds it instead of adding one. */
export function importKey(row: Pick<ImportRow, 'purposeId' | 'grantedAt'> & { subject: { externalId: string } }): string {
  return `import:${row.subject.externalId}:${row.purposeId}:${row.grantedAt}`;
}

export interface RowProblem {
  line: number;
  field: string;
  reason: string;
}

const CONSENT_TYPES: readonly ConsentType[] = ['express', 'implied-purchase', 'implied-inquiry'];
const KNOWN = new Set(['externalId', 'email', 'phone', 'name', 'country', 'region', 'timeZone', 'purposeId', 'grantedAt', 'consentType', 'noticeVersionId', 'sourceUrl', 'sourceFormId']);

export function parseImportRow(line: number, raw: Record<string, unknown>, now: Date): { row?: ImportRow; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const text = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push({ line, field: name, reason: 'must be text' });
      return undefined;
    }
    return value.trim() === '' ? undefined : value.trim();
  };
  for (const name of Object.keys(raw)) {
    if (!KNOWN.has(name)) problems.push({ line, field: name, reason: 'is not a known column' });
  }
  const externalId = text('externalId');
  if (!externalId) problems.push({ line, field: 'externalId', reason: 'is required (the id in your CRM)' });
  const subject = validateSubject({ externalId, email: text('email'), phone: text('phone'), name: text('name'), country: text('country') ?? '', region: text('region'), timeZone: text('timeZone') });
  if (!subject.ok) for (const p of subject.problems) if (p.field !== 'externalId' || externalId) problems.push({ line, field: p.field, reason: p.message });
  const purposeId = text('purposeId');
  if (!purposeId) problems.push({ line, field: 'purposeId', reason: 'is required' });
  else if (!/^[a-z][a-z0-9-]{1,63}$/.test(purposeId)) problems.push({ line, field: 'purposeId', reason: 'is not a purpose id' });
  const grantedAt = text('grantedAt');
  const when = grantedAt ? new Date(grantedAt) : undefined;
  if (!grantedAt) problems.push({ line, field: 'grantedAt', reason: 'is required (ISO 8601, e.g. 2025-03-01T10:00:00Z)' });
  else if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(grantedAt) || Number.isNaN(when!.getTime())) problems.push({ line, field: 'grantedAt', reason: 'is not an ISO 8601 date-time with a time zone' });
  else if (when! > now) problems.push({ line, field: 'grantedAt', reason: 'is in the future' });
  const consentType = (text('consentType') ?? 'express') as ConsentType;
  if (!CONSENT_TYPES.includes(consentType)) problems.push({ line, field: 'consentType', reason: `must be one of ${CONSENT_TYPES.join(', ')}` });
  const sourceUrl = text('sourceUrl');
  if (sourceUrl && !/^https?:\/\/\S+$/.test(sourceUrl)) problems.push({ line, field: 'sourceUrl', reason: 'must be an http(s) URL' });
  if (problems.length > 0 || !subject.ok) return { problems };
  const sourceFormId = text('sourceFormId');
  return {
    problems,
    row: {
      subject: { ...subject.value, externalId: externalId! },
      purposeId: purposeId!,
      grantedAt: when!.toISOString(),
      consentType,
      noticeVersionId: text('noticeVersionId'),
      ...((sourceUrl || sourceFormId) && { source: { ...(sourceUrl && { url: sourceUrl }), ...(sourceFormId && { formId: sourceFormId }) } }),
    },
  };
}
