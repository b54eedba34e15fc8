import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { importKey, parseImportRow, type ImportRow, type RowProblem } from '../../domain/consent-import';
import type { Actor } from '../../domain/evidence';
import { ConsentInputError, ConsentRecorder, type Recorded } from '../../store/consent-recorder';
import { notifyLifecycle } from '../consent-lifecycle';
import { importRows } from '../import-rows';
import { recordChange } from '../record';
import { withErrors } from '../schemas';

const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * Bulk import of existing consents (CSV with a header row, or JSON Lines). Bad rows are reported by line, field and
 * reason; good rows are imported. Each row's consent event id is derived from the subject's CRM id, the purpose and
 * the grant time, so importing the same file again changes nothing. A lifecycle starts for every imported grant.
 */
const consentImport: FastifyPluginAsyncTypebox = async (app) => {
  app.addContentTypeParser(['text/csv', 'application/x-ndjson'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

  app.post(
    '/import',
    {
      config: { roles: ['compliance-officer', 'admin', 'system'] },
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['consent'],
        summary: 'Import existing consents from CSV (text/csv) or JSON Lines (application/x-ndjson)',
        description:
          'Columns/fields: externalId, email, phone, name, country, region, timeZone, purposeId, grantedAt, consentType, noticeVersionId, sourceUrl, sourceFormId.',
        response: withErrors({
          200: Type.Object({
            importId: Type.String(),
            rows: Type.Integer(),
            imported: Type.Integer(),
            unchanged: Type.Integer(),
            rejected: Type.Integer(),
            problems: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), reason: Type.String() })),
          }),
        }),
      },
    },
    async (request) => {
      const text = request.body as string;
      const csv = String(request.headers['content-type']).startsWith('text/csv');
      const importId = `imp_${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`;
      const now = new Date();
      const rows = importRows(text, csv ? 'csv' : 'jsonl');
      const { subjects, purposes, consents } = app.deps.stores;
      const known = new Set((await purposes.list()).map((p) => p.id));
      const problems: RowProblem[] = [...rows.problems];
      const valid: { line: number; row: ImportRow }[] = [];
      for (const { line, raw } of rows.records) {
        const parsed = parseImportRow(line, raw, now);
        problems.push(...parsed.problems);
        // Checked before anything is written, so a row naming an unknown purpose creates no subject either.
        if (parsed.row && !known.has(parsed.row.purposeId)) problems.push({ line, field: 'purposeId', reason: `purpose ${parsed.row.purposeId} does not exist` });
        else if (parsed.row) valid.push({ line, row: parsed.row });
      }
      const recorder = new ConsentRecorder(subjects, purposes, consents);
      let imported = 0;
      let unchanged = 0;
      for (const { line, row } of valid) {
        try {
          const { subject } = await subjects.create(row.subject);
          const recorded = await recordImportRow(recorder, subject.id, row, { importId, line, actor: { id: request.principal!.id, type: request.principal!.kind } });
          if (recorded.duplicate) unchanged += 1;
          else imported += 1;
          // Handed over again on a re-import too: if an earlier import stopped between recording a row and handing it
          // over, this completes it. The lifecycle's steps are idempotent, so a second hand-over adds nothing.
          await notifyLifecycle(app, subject.id, row.purposeId, recorded.event.id, recorded.state.status);
        } catch (err) {
          if (err instanceof ConsentInputError) problems.push({ line, field: err.field, reason: err.message });
          else if ((err as Error).name === 'ConsentTransitionError') problems.push({ line, field: 'purposeId', reason: (err as Error).message });
          else throw err;
        }
      }
      problems.sort((a, b) => a.line - b.line || a.field.localeCompare(b.field));
      const rejected = new Set(problems.map((p) => p.line)).size;
      await recordChange(request, { key: `consents.imported:${importId}:${request.id}`, action: 'consents.imported', resource: { type: 'import', id: importId }, data: { rows: rows.records.length, imported, unchanged, rejected } });
      return { importId, rows: rows.records.length + rows.problems.length, imported, unchanged, rejected, problems };
    },
  );
};

export default consentImport;

/** Records one valid row's grant, keyed by the row, so importing it again finds it instead of adding another. */
export function recordImportRow(recorder: ConsentRecorder, subjectId: string, row: ImportRow, origin: { importId: string; line: number; actor: Actor }): Promise<Recorded> {
  return recorder.capture({
    subjectId,
    purposeId: row.purposeId,
    action: 'grant',
    method: 'import',
    at: new Date(row.grantedAt),
    consentType: row.consentType,
    noticeVersionId: row.noticeVersionId,
    source: { ...row.source, importId: origin.importId, line: origin.line },
    actor: origin.actor,
    idempotencyKey: importKey(row),
  });
}
