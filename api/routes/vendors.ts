import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { csvLine } from '../../domain/csv';
import type { Role } from '../../domain/roles';
import { REGISTER_COLUMNS, registerRow, vendorProblems } from '../../domain/vendor/register';
import { atRisk } from '../../domain/vendor/monitoring';
import { inherentRisk, missingRequirements, requirements } from '../../domain/vendor/risk';
import { timingProblems } from '../../domain/vendor/schedule';
import { isDuration } from '../../domain/consent-policy';
import type { Vendor } from '../../domain/vendor/types';
import type { UpdateDefinition } from '@temporalio/common';
import { SA } from '../../platform/search-attributes';
import {
  completeOffboardingTaskUpdate,
  completeRemediationUpdate,
  offboardUpdate,
  profileChangedSignal,
  reReviewUpdate,
  securityReviewUpdate,
  vendorDecisionUpdate,
  vendorProcessQuery,
  vendorWorkflow,
  vendorWorkflowId,
  type VendorProcess,
} from '../../workflows/vendor';
import { processId } from '../idempotency';
import { problems } from '../problem';
import { IdempotencyKeyHeader, Strict, withErrors } from '../schemas';
import { CompleteRemediationBody, CompleteTaskBody, CreateVendorBody, DecisionBody, PatchVendorBody, ReasonBody, SecurityReviewBody, StartReviewBody, TaskKind } from '../vendor-schemas';

const MANAGERS: Role[] = ['admin', 'vendor-manager', 'compliance-officer'];
const READERS: Role[] = [...MANAGERS, 'auditor'];
/** Security reviews and decisions are for the compliance function; vendor managers request, they do not decide. */
const DECIDERS: Role[] = ['admin', 'compliance-officer'];

const VendorParams = Strict({ vendorId: Type.String({ pattern: '^ven_[A-Za-z0-9_-]{8,64}$', description: 'Vendor id' }) });
const Document = Type.Object({}, { additionalProperties: true });

/** Vendor management: the register, due diligence, decisions, monitoring and offboarding. */
const vendors: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config, stores } = app.deps;

  async function vendorOr404(vendorId: string): Promise<Vendor> {
    const vendor = await stores.vendors.get(vendorId);
    if (!vendor) throw problems.notFound(`Vendor ${vendorId}`);
    return vendor;
  }

  async function processOf(vendorId: string): Promise<VendorProcess | null> {
    try {
      return await temporal.workflow.getHandle(vendorWorkflowId(vendorId)).query(vendorProcessQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  function checked(vendor: Vendor): Vendor {
    const found = vendorProblems(vendor);
    if (found.length) throw problems.invalid(found.map((p) => ({ field: `body.${p.field}`, message: p.message })));
    return vendor;
  }

  app.post(
    '/',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Register a vendor (status prospective)', headers: IdempotencyKeyHeader, body: CreateVendorBody, response: withErrors({ 201: Document, 200: Document }) } },
    async (request, reply) => {
      const vendorId = processId('ven', request.principal!.id, request.headers['idempotency-key']);
      const vendor = checked({ ...(request.body as Omit<Vendor, 'vendorId' | 'status' | 'remediation'>), vendorId, status: 'prospective', remediation: [] });
      const created = await stores.vendors.create(vendor);
      return reply.status(created ? 201 : 200).send(await view(vendorId));
    },
  );

  app.get(
    '/',
    {
      config: { roles: READERS },
      schema: {
        tags: ['vendors'],
        summary: 'The vendor register, as JSON, JSON Lines or CSV',
        querystring: Strict({ status: Type.Optional(Type.String({ pattern: '^[a-z-]{1,40}$' })), format: Type.Union([Type.Literal('json'), Type.Literal('jsonl'), Type.Literal('csv')], { default: 'json' }) }),
        produces: ['application/json', 'application/x-ndjson', 'text/csv'],
      },
    },
    async (request, reply) => {
      const rows = (await stores.vendors.list({ status: request.query.status as Vendor['status'] | undefined })).map(registerRow);
      if (request.query.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="vendor-register.csv"');
        return [REGISTER_COLUMNS.join(','), ...rows.map((r) => csvLine(REGISTER_COLUMNS.map((c) => r[c])))].join('\n') + '\n';
      }
      if (request.query.format === 'jsonl') {
        reply.header('content-type', 'application/x-ndjson; charset=utf-8');
        return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
      }
      return { items: rows };
    },
  );

  app.get(
    '/:vendorId',
    { config: { roles: READERS }, schema: { tags: ['vendors'], summary: 'A vendor with its risk, requirements, and the process: current step and due dates', params: VendorParams, response: withErrors({ 200: Document }) } },
    async (request) => view(request.params.vendorId),
  );

  app.patch(
    '/:vendorId',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Change a vendor\'s profile (certificates, contract, DPA, data, …); status changes go through the process', params: VendorParams, body: PatchVendorBody, response: withErrors({ 200: Document }) } },
    async (request) => {
      await vendorOr404(request.params.vendorId);
      await stores.vendors.update(request.params.vendorId, (v) => checked({ ...v, ...(request.body as Partial<Vendor>) }));
      // A monitored vendor's process plans its reminders from these facts: tell it they changed.
      try {
        await temporal.workflow.getHandle(vendorWorkflowId(request.params.vendorId)).signal(profileChangedSignal);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return view(request.params.vendorId);
    },
  );

  app.post(
    '/:vendorId/reviews',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Start due diligence: questionnaire, scoring, security review, four-eyes decision, then monitoring', params: VendorParams, body: StartReviewBody, response: withErrors({ 201: Document }) } },
    async (request, reply) => {
      // The workflow plans from these; checked here, because a timing it cannot schedule would fail its every task.
      const timing = request.body.timing ? timingProblems(request.body.timing).map((p) => ({ field: `body.timing.${p.field}`, message: p.message })) : [];
      const reassess = request.body.reassessEvery !== undefined && !isDuration(request.body.reassessEvery) ? [{ field: 'body.reassessEvery', message: 'must be a positive ISO 8601 duration' }] : [];
      if (timing.length || reassess.length) throw problems.invalid([...timing, ...reassess]);
      const vendor = await vendorOr404(request.params.vendorId);
      if (!['prospective', 'rejected', 'offboarded'].includes(vendor.status)) throw problems.conflict(`The vendor is ${vendor.status}; a review of a monitored vendor is requested with POST /vendors/${vendor.vendorId}/re-review.`);
      const principal = request.principal!;
      // A vendor reviewed before (rejected, lapsed, offboarded) goes on to its next cycle: the questionnaire, the
      // e-mails and the evidence are keyed by cycle, so reusing cycle 1 would find the old, closed ones.
      const cycle = ((await processOf(vendor.vendorId))?.cycle ?? 0) + 1;
      try {
        await temporal.workflow.start(vendorWorkflow, {
          workflowId: vendorWorkflowId(vendor.vendorId),
          taskQueue: config.taskQueue,
          args: [{ vendorId: vendor.vendorId, cycle, requestedBy: { id: principal.id, type: principal.kind }, ...request.body }],
          typedSearchAttributes: [
            { key: SA.process, value: 'vendor' },
            { key: SA.resourceId, value: vendor.vendorId },
          ],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw problems.conflict('A review of this vendor is already running.');
        throw err;
      }
      return reply.status(201).send(await view(vendor.vendorId, true));
    },
  );

  /** Sends a step to the vendor's process and answers with the vendor as it then stands. */
  async function step<Arg>(vendorId: string, update: UpdateDefinition<VendorProcess, [Arg]>, arg: Arg) {
    try {
      await temporal.workflow.getHandle(vendorWorkflowId(vendorId)).executeUpdate(update, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        const vendor = await vendorOr404(vendorId);
        throw problems.conflict(`No review or monitoring is running for this vendor (it is ${vendor.status}).`);
      }
      if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? 'step refused');
      if (/already completed/i.test((err as Error).message)) throw problems.conflict('The vendor\'s process has ended.');
      throw err;
    }
    return view(vendorId);
  }

  const actor = (request: { principal?: { id: string; kind: 'person' | 'system' } }) => ({ id: request.principal!.id, type: request.principal!.kind });

  app.post(
    '/:vendorId/security-review',
    { config: { roles: DECIDERS }, schema: { tags: ['vendors'], summary: 'Close the security review: findings and proposed conditions', params: VendorParams, body: SecurityReviewBody, response: withErrors({ 200: Document }) } },
    async (request) => step(request.params.vendorId, securityReviewUpdate, { findings: request.body.findings, conditions: request.body.conditions.map((c) => ({ ...c, dueAt: new Date(c.dueAt).toISOString() })), reviewer: actor(request) }),
  );

  app.post(
    '/:vendorId/decision',
    { config: { roles: DECIDERS }, schema: { tags: ['vendors'], summary: 'Approve, approve with conditions, or reject (four eyes; a critical vendor needs two approvers)', params: VendorParams, body: DecisionBody, response: withErrors({ 200: Document }) } },
    async (request) => {
      const { decision, reason, conditions } = request.body;
      const base = { reason, decidedBy: actor(request), deciderRoles: request.principal!.roles };
      const input =
        decision === 'approve-with-conditions'
          ? { ...base, decision, conditions: (conditions ?? []).map((c) => ({ ...c, dueAt: new Date(c.dueAt).toISOString() })) }
          : { ...base, decision };
      return step(request.params.vendorId, vendorDecisionUpdate, input);
    },
  );

  app.post(
    '/:vendorId/remediation/:itemId/complete',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Complete a remediation item', params: Strict({ ...VendorParams.properties, itemId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,160}$' }) }), body: CompleteRemediationBody, response: withErrors({ 200: Document }) } },
    async (request) => step(request.params.vendorId, completeRemediationUpdate, { itemId: request.params.itemId, by: actor(request), ...request.body }),
  );

  app.post(
    '/:vendorId/re-review',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Ad-hoc re-review of a monitored vendor (e.g. it reported a breach): a new questionnaire cycle', params: VendorParams, body: ReasonBody, response: withErrors({ 200: Document }) } },
    async (request) => step(request.params.vendorId, reReviewUpdate, { reason: request.body.reason, by: actor(request) }),
  );

  app.post(
    '/:vendorId/offboarding',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Start offboarding: opens the tasks (access, data, contract)', params: VendorParams, body: ReasonBody, response: withErrors({ 200: Document }) } },
    async (request) => step(request.params.vendorId, offboardUpdate, { reason: request.body.reason, by: actor(request) }),
  );

  app.post(
    '/:vendorId/offboarding/tasks/:kind/complete',
    { config: { roles: MANAGERS }, schema: { tags: ['vendors'], summary: 'Complete an offboarding task (the data task needs the certificate of deletion)', params: Strict({ ...VendorParams.properties, kind: TaskKind }), body: CompleteTaskBody, response: withErrors({ 200: Document }) } },
    async (request) => step(request.params.vendorId, completeOffboardingTaskUpdate, { kind: request.params.kind, by: actor(request), ...request.body }),
  );

  /** The vendor as readers see it; right after a start, waits briefly for the process to open its review. */
  async function view(vendorId: string, justStarted = false) {
    for (let attempt = 0; ; attempt++) {
      const vendor = await vendorOr404(vendorId);
      const process = await processOf(vendorId);
      if (justStarted && !process?.questionnaire && attempt < 50) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const { version: _version, ...rest } = vendor as Vendor & { version?: number };
      return { ...rest, risk: inherentRisk(vendor), requirements: requirements(vendor), missingRequirements: missingRequirements(vendor), atRisk: atRisk(vendor, new Date().toISOString()), process };
    }
  }
};

export default vendors;
