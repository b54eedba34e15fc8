import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/common';
import { createHash } from 'node:crypto';
import type { RowProblem } from '../../domain/consent-import';
import { parseStaffRow, STAFF_STATUSES, validateStaff, type StaffDraft, type StaffInput, type StaffMember } from '../../domain/staff';
import type { Role } from '../../domain/roles';
import { joinerSignal } from '../../workflows/training-campaign';
import { withdrawAssignmentSignal } from '../../workflows/training-assignment';
import { importRows } from '../import-rows';
import { problems } from '../problem';
import { recordChange } from '../record';
import { Limit, OpaqueId, Strict, Text, withErrors } from '../schemas';

const MANAGERS: Role[] = ['admin', 'compliance-officer', 'system'];
const READERS: Role[] = ['admin', 'compliance-officer', 'auditor'];
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const Slug = Type.String({ minLength: 1, maxLength: 63 });
const StaffFields = {
  name: Text(200),
  email: Type.String({ minLength: 3, maxLength: 320 }),
  department: Slug,
  jobRoles: Type.Optional(Type.Array(Slug, { maxItems: 50, description: 'None when left out; a change that leaves them out keeps them' })),
  managerId: Type.Optional(OpaqueId('Directory id of the manager (escalations go to them)')),
  status: Type.Optional(Type.Union(STAFF_STATUSES.map((s) => Type.Literal(s)))),
  startDate: Type.Optional(Type.String({ format: 'date' })),
  endDate: Type.Optional(Type.String({ format: 'date' })),
  principalId: Type.Optional(OpaqueId('The API principal this person signs in as (attests their own training)')),
  externalId: Type.Optional(OpaqueId('Id in the HR system; makes imports idempotent')),
};
const Params = Strict({ staffId: Type.String({ pattern: '^stf_[A-Za-z0-9_-]{8,64}$', description: 'Directory id' }) });

/**
 * The staff directory: who campaigns are for, who their manager is, and who has left. Joiners are enrolled into
 * running campaigns whose audience they are in; leavers' open assignments are withdrawn.
 */
const staff: FastifyPluginAsyncTypebox = async (app) => {
  const { stores, temporal } = app.deps;
  app.addContentTypeParser(['text/csv', 'application/x-ndjson'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));

  app.post('/', { config: { roles: MANAGERS }, schema: { tags: ['staff'], summary: 'Add a person to the directory (or update them, by externalId)', body: Strict(StaffFields), response: withErrors({ 201: Type.Object({}, { additionalProperties: true }), 200: Type.Object({}, { additionalProperties: true }) }) } }, async (request, reply) => {
    const input = await checked(request.body);
    const { member, created } = await stores.staff.upsert(input);
    await recordChange(request, { key: `staff.saved:${member.id}:${request.id}`, action: created ? 'staff.added' : 'staff.updated', resource: { type: 'staff', id: member.id }, data: { department: member.department, status: member.status } });
    await membershipChanged(member);
    return reply.status(created ? 201 : 200).send(member);
  });

  app.get(
    '/',
    { config: { roles: READERS }, schema: { tags: ['staff'], summary: 'The directory, a page at a time', querystring: Strict({ limit: Limit, after: Type.Optional(OpaqueId('Cursor: last id of the previous page')), department: Type.Optional(Slug), status: Type.Optional(Type.Union(STAFF_STATUSES.map((s) => Type.Literal(s)))) }) } },
    async (request) => {
      const items = await stores.staff.list({ afterId: request.query.after, limit: request.query.limit, department: request.query.department, status: request.query.status });
      return { items, ...(items.length === request.query.limit && { next: items[items.length - 1].id }) };
    },
  );

  app.get('/:staffId', { config: { roles: READERS }, schema: { tags: ['staff'], summary: 'A person in the directory', params: Params } }, async (request) => memberOr404(request.params.staffId));

  app.patch(
    '/:staffId',
    { config: { roles: MANAGERS }, schema: { tags: ['staff'], summary: 'Change a person (status leaver withdraws their open assignments)', params: Params, body: Strict(Object.fromEntries(Object.entries(StaffFields).map(([k, v]) => [k, Type.Optional(v)])), { minProperties: 1 }) } },
    async (request) => {
      const current = await memberOr404(request.params.staffId);
      const { id: _id, ...rest } = current;
      const input = await checked({ ...rest, ...(request.body as Partial<StaffInput>) }, current.id);
      const member = (await stores.staff.update(current.id, input))!;
      await recordChange(request, { key: `staff.updated:${member.id}:${request.id}`, action: 'staff.updated', resource: { type: 'staff', id: member.id }, data: { statusBefore: current.status, statusAfter: member.status, department: member.department } });
      await membershipChanged(member, current);
      return member;
    },
  );

  app.post(
    '/import',
    {
      config: { roles: MANAGERS },
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['staff'],
        summary: 'Import the directory from CSV (text/csv) or JSON Lines (application/x-ndjson); bad rows are reported by line and field',
        description: 'Columns/fields: externalId, name, email, department, jobRoles (separated by ; or |), managerExternalId, status, startDate, endDate.',
        response: withErrors({ 200: Type.Object({ importId: Type.String(), rows: Type.Integer(), added: Type.Integer(), updated: Type.Integer(), rejected: Type.Integer(), problems: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), reason: Type.String() })) }) }),
      },
    },
    async (request) => {
      const text = typeof request.body === 'string' ? request.body : '';
      if (!text) throw problems.invalid([{ field: 'body', message: 'send the file as text/csv or application/x-ndjson' }]);
      const rows = importRows(text, String(request.headers['content-type']).startsWith('text/csv') ? 'csv' : 'jsonl');
      const importId = `stfimp_${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`;
      const rowProblems: RowProblem[] = [...rows.problems];
      const valid: { line: number; member: StaffInput & { externalId: string }; managerExternalId?: string }[] = [];
      for (const { line, raw } of rows.records) {
        const parsed = parseStaffRow(line, raw);
        rowProblems.push(...parsed.problems);
        if (parsed.row) valid.push({ line, ...parsed.row });
      }
      // Managers may come after their reports in the file: every row is saved first, then the links are made.
      const inFile = new Set(valid.map((v) => v.member.externalId));
      let added = 0;
      let updated = 0;
      const saved: { member: StaffMember; managerExternalId?: string; line: number; before?: StaffMember }[] = [];
      for (const row of valid) {
        if (row.managerExternalId && !inFile.has(row.managerExternalId) && !(await stores.staff.byExternalId(row.managerExternalId))) {
          rowProblems.push({ line: row.line, field: 'managerExternalId', reason: `no member with externalId ${row.managerExternalId} in the file or the directory` });
          continue;
        }
        const before = await stores.staff.byExternalId(row.member.externalId);
        const { member, created } = await stores.staff.upsert({ ...row.member, ...(before?.managerId && { managerId: before.managerId }), ...(before?.principalId && { principalId: before.principalId }) });
        if (created) added += 1;
        else updated += 1;
        saved.push({ member, managerExternalId: row.managerExternalId, line: row.line, before });
      }
      for (const entry of saved) {
        let member = entry.member;
        if (entry.managerExternalId) {
          const manager = await stores.staff.byExternalId(entry.managerExternalId);
          if (manager && manager.id !== member.managerId) member = (await stores.staff.update(member.id, { managerId: manager.id }))!;
        }
        await membershipChanged(member, entry.before);
      }
      rowProblems.sort((a, b) => a.line - b.line || a.field.localeCompare(b.field));
      const rejected = new Set(rowProblems.map((p) => p.line)).size;
      await recordChange(request, { key: `staff.imported:${importId}:${request.id}`, action: 'staff.imported', resource: { type: 'import', id: importId }, data: { rows: rows.records.length, added, updated, rejected } });
      return { importId, rows: rows.records.length + rows.problems.length, added, updated, rejected, problems: rowProblems };
    },
  );

  async function memberOr404(staffId: string): Promise<StaffMember> {
    const member = await stores.staff.get(staffId);
    if (!member) throw problems.notFound(`Staff member ${staffId}`);
    return member;
  }

  /** Validated, with the manager and principal checked to exist; field errors all at once. */
  async function checked(body: StaffDraft, self?: string): Promise<StaffInput> {
    const validated = validateStaff(body);
    const errors = validated.ok ? [] : validated.problems.map((p) => ({ field: `body.${p.field}`, message: p.message }));
    const managerId = body.managerId as string | undefined;
    if (managerId && (managerId === self || !(await stores.staff.get(managerId)))) errors.push({ field: 'body.managerId', message: 'must name another member of the directory' });
    const principalId = body.principalId as string | undefined;
    if (principalId && !(await stores.principals.get(principalId))) errors.push({ field: 'body.principalId', message: `principal ${principalId} does not exist` });
    if (!validated.ok || errors.length > 0) throw problems.invalid(errors);
    return validated.value;
  }

  /**
   * A joiner (new, or back from leaving) is offered to every running campaign, which enrols them if they are in its
   * audience; a leaver's open assignments are withdrawn, so no reminder or escalation follows.
   */
  async function membershipChanged(member: StaffMember, before?: StaffMember): Promise<void> {
    const signal = async (workflowId: string, send: (handle: ReturnType<typeof temporal.workflow.getHandle>) => Promise<void>) => {
      try {
        await send(temporal.workflow.getHandle(workflowId));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    };
    if (member.status === 'leaver') {
      for (const assignment of await stores.training.openAssignmentsOf(member.id)) await signal(assignment.assignmentId, (h) => h.signal(withdrawAssignmentSignal, { reason: 'leaver' }));
      return;
    }
    if (before && before.status !== 'leaver') return;
    for (const campaign of await stores.training.listCampaigns({ status: 'running' })) await signal(campaign.campaignId, (h) => h.signal(joinerSignal, { staffId: member.id }));
  }
};

export default staff;
