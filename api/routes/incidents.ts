import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { Static, TSchema } from '@sinclair/typebox';
import { IANAZone } from 'luxon';
import { csvLine } from '../../domain/csv';
import { DEFAULT_LADDER } from '../../domain/breach/escalation';
import { computeObligations } from '../../domain/breach/engine';
import { initialState, isOpen, type IncidentReport, type IncidentState, type Step } from '../../domain/breach/incident';
import { knownFlags } from '../../domain/breach/conditions';
import { BREACH_RULES } from '../../domain/breach/pack';
import type { AnchorEvent, IncidentFacts, Obligation } from '../../domain/breach/types';
import { ISO_COUNTRIES } from '../../domain/countries';
import type { Role } from '../../domain/roles';
import type { IncidentRecord } from '../../store/incidents';
import { incidentWorkflow, incidentWorkflowId, stepUpdate } from '../../workflows/incident';
import { assertSameRequest, processId, requestHash } from '../idempotency';
import { Document, PreviewBody, ReportBody, StepBodies } from '../incident-schemas';
import { problems } from '../problem';
import { IdempotencyKeyHeader, Strict, withErrors } from '../schemas';
import { SA } from '../../platform/search-attributes';
import type { FieldError } from '../problem';

const RESPONDERS: Role[] = ['admin', 'compliance-officer', 'incident-responder'];
const REPORTERS: Role[] = [...RESPONDERS, 'system'];
const READERS: Role[] = [...RESPONDERS, 'auditor'];

const IncidentParams = Strict({ incidentId: Type.String({ pattern: '^inc_[A-Za-z0-9_-]{8,64}$', description: 'Incident id' }) });
const ObligationParams = Strict({
  incidentId: IncidentParams.properties.incidentId,
  obligationId: Type.String({ pattern: '^[a-z0-9][a-z0-9.@-]{0,120}$', description: 'Obligation id, e.g. gdpr.art33.authority or hipaa.media@US-CA' }),
});
const LiftParams = Strict({ ...ObligationParams.properties, adjustmentId: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,99}$' }) });

/** The human steps: each a route with its own schema, all sent to the workflow as one update. */
const STEPS: Array<{ path: string; summary: string; body: TSchema; params: TSchema; toStep: (body: never, params: never, now: string) => Step }> = [
  { path: '/:incidentId/triage', summary: 'Triage: set the severity (moves the incident to containment)', body: StepBodies.triage, params: IncidentParams, toStep: (b: Static<typeof StepBodies.triage>) => ({ kind: 'triage', ...b }) },
  { path: '/:incidentId/containment', summary: 'Record containment measures', body: StepBodies.contain, params: IncidentParams, toStep: (b: Static<typeof StepBodies.contain>) => ({ kind: 'contain', ...b, ...(b.containedAt && { containedAt: instant(b.containedAt) }) }) },
  {
    path: '/:incidentId/assessment',
    summary: 'Assess or revise: jurisdictions and counts, data, encryption, risk, findings; obligations are recomputed',
    body: StepBodies.assess,
    params: IncidentParams,
    toStep: (b: Static<typeof StepBodies.assess>) => ({ kind: 'assess', ...b, anchors: b.anchors && normaliseAnchors(b.anchors) }),
  },
  {
    path: '/:incidentId/obligations/:obligationId/notices',
    summary: 'Record a notice sent for an obligation (a late one needs delayReason; final: false for a phased report)',
    body: StepBodies.notify,
    params: ObligationParams,
    toStep: (b: Static<typeof StepBodies.notify>, p: Static<typeof ObligationParams>) => ({ kind: 'notify', obligationId: p.obligationId, ...b, sentAt: instant(b.sentAt) }),
  },
  {
    path: '/:incidentId/obligations/:obligationId/exemption',
    summary: 'Record an exemption the rule allows, with its justification',
    body: StepBodies.exempt,
    params: ObligationParams,
    toStep: (b: Static<typeof StepBodies.exempt>, p: Static<typeof ObligationParams>) => ({ kind: 'exempt', obligationId: p.obligationId, ...b }),
  },
  {
    path: '/:incidentId/obligations/:obligationId/clock-adjustments',
    summary: 'Record a delay or extension the rule allows (law-enforcement hold, SEC national-security delay)',
    body: StepBodies.adjust,
    params: ObligationParams,
    toStep: (b: Static<typeof StepBodies.adjust>, p: Static<typeof ObligationParams>, now: string) => ({
      kind: 'adjust',
      obligationId: p.obligationId,
      adjustmentId: b.adjustmentId,
      from: b.from ? instant(b.from) : now,
      ...(b.until && { until: instant(b.until) }),
      reason: b.reason,
    }),
  },
  {
    path: '/:incidentId/obligations/:obligationId/clock-adjustments/:adjustmentId/lift',
    summary: 'Lift a hold on an obligation\'s clock',
    body: StepBodies.lift,
    params: LiftParams,
    toStep: (b: Static<typeof StepBodies.lift>, p: Static<typeof LiftParams>, now: string) => ({ kind: 'lift', obligationId: p.obligationId, adjustmentId: p.adjustmentId, until: b.until ? instant(b.until) : now }),
  },
  {
    path: '/:incidentId/review',
    summary: 'Record the post-incident review; findings become corrective actions',
    body: StepBodies.review,
    params: IncidentParams,
    toStep: (b: Static<typeof StepBodies.review>) => ({ kind: 'review', findings: b.findings, correctiveActions: b.correctiveActions.map((a) => ({ ...a, dueAt: instant(a.dueAt) })) }),
  },
  { path: '/:incidentId/close', summary: 'Close (refused while obligations are open)', body: StepBodies.close, params: IncidentParams, toStep: (b: Static<typeof StepBodies.close>) => ({ kind: 'close', ...b }) },
];

/** Instants are stored in one form (UTC, milliseconds) so they compare as strings. */
function instant(value: string): string {
  return new Date(value).toISOString();
}

function normaliseAnchors(anchors: Partial<Record<AnchorEvent, string | undefined>>): Partial<Record<AnchorEvent, string>> {
  return Object.fromEntries(Object.entries(anchors).flatMap(([k, v]) => (v ? [[k, instant(v)]] : [])));
}

/**
 * Checks what a schema cannot: real countries, flags the rules know, zones, instants not in the future. `anchors` are
 * the nested `anchors` object of an assessment or preview; `instants` are fields of the body itself (a report's
 * `discoveredAt`), so each error names the field where the client wrote it.
 */
function factProblems(
  input: { affected?: Record<string, number>; flags?: string[]; anchors?: Record<string, string | undefined>; instants?: Record<string, string | undefined>; entity?: { zone: string } },
  now: number,
  prefix = 'body',
): FieldError[] {
  const errors: FieldError[] = [];
  for (const code of Object.keys(input.affected ?? {})) {
    const country = code.startsWith('US-') ? 'US' : code;
    if (!ISO_COUNTRIES.has(country)) errors.push({ field: `${prefix}.affected.${code}`, message: 'is not an ISO 3166-1 country code' });
  }
  const flags = knownFlags(BREACH_RULES);
  for (const flag of input.flags ?? []) if (!flags.has(flag)) errors.push({ field: `${prefix}.flags`, message: `"${flag}" is not a flag the rules know; known: ${[...flags].sort().join(', ')}` });
  const instants = [...Object.entries(input.anchors ?? {}).map(([name, at]) => [`${prefix}.anchors.${name}`, at] as const), ...Object.entries(input.instants ?? {}).map(([name, at]) => [`${prefix}.${name}`, at] as const)];
  for (const [field, at] of instants) {
    if (at && Date.parse(at) > now + 5 * 60_000) errors.push({ field, message: 'lies in the future' });
  }
  if (input.entity && !IANAZone.isValidZone(input.entity.zone)) errors.push({ field: `${prefix}.entity.zone`, message: 'is not an IANA time zone' });
  return errors;
}

/** An obligation as readers see it: with the time left, computed at the moment of reading. */
function withRemaining<T extends Pick<Obligation, 'dueAt'>>(o: T, now: number): T & { remainingSeconds: number | null } {
  return { ...o, remainingSeconds: o.dueAt ? Math.round((Date.parse(o.dueAt) - now) / 1000) : null };
}

function incidentView(record: IncidentRecord, now: number) {
  const { state, drafts, nextDueAt } = record;
  return { ...state, nextDueAt: nextDueAt ?? null, obligations: state.obligations.map((o) => withRemaining(o, now)), drafts };
}

const WINDOWS = { overdue: 0, '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, all: Number.POSITIVE_INFINITY } as const;

const REGISTER_COLUMNS = ['incidentId', 'title', 'reportedAt', 'phase', 'severity', 'awareness', 'discovery', 'affectedTotal', 'jurisdictions', 'dataCategories', 'risk', 'obligationsOpen', 'obligationsNotified', 'obligationsExempt', 'lateNotices', 'closedAt'];

function registerRow(s: IncidentState): Record<string, string | number | null> {
  const count = (status: string) => s.obligations.filter((o) => o.status === status).length;
  return {
    incidentId: s.incidentId,
    title: s.title,
    reportedAt: s.reportedAt,
    phase: s.phase,
    severity: s.severity ?? null,
    awareness: s.facts.anchors.awareness ?? null,
    discovery: s.facts.anchors.discovery ?? null,
    affectedTotal: Object.values(s.facts.affected).reduce((a, b) => a + b, 0),
    jurisdictions: Object.keys(s.facts.affected).sort().join(' '),
    dataCategories: s.facts.dataCategories.join(' '),
    risk: s.facts.risk,
    obligationsOpen: s.obligations.filter(isOpen).length,
    obligationsNotified: count('notified'),
    obligationsExempt: count('exempt'),
    lateNotices: s.obligations.flatMap((o) => o.notices).filter((n) => n.late).length,
    closedAt: s.closed?.at ?? null,
  };
}

/** Breach response: report incidents, take their steps, and see every legal clock with its explanation. */
const incidents: FastifyPluginAsyncTypebox = async (app) => {
  const { temporal, config, stores } = app.deps;

  app.post(
    '/',
    {
      config: { roles: REPORTERS },
      schema: { tags: ['incidents'], summary: 'Report an incident: starts its workflow and its legal clocks', headers: IdempotencyKeyHeader, body: ReportBody, response: withErrors({ 201: Document, 200: Document }) },
    },
    async (request, reply) => {
      const body = request.body;
      const now = Date.now();
      const anchors = normaliseAnchors({ discovery: body.discoveredAt, awareness: body.awareAt ?? body.discoveredAt, occurrence: body.occurredAt, suspicion: body.suspectedAt });
      const errors = factProblems({ flags: body.flags, instants: { discoveredAt: body.discoveredAt, awareAt: body.awareAt, occurredAt: body.occurredAt, suspectedAt: body.suspectedAt }, entity: body.entity }, now);
      if (errors.length) throw problems.invalid(errors);
      const principal = request.principal!;
      const hash = requestHash(body);
      const key = request.headers['idempotency-key'];
      const incidentId = processId('inc', principal.id, key);
      const workflowId = incidentWorkflowId(incidentId);
      // A replayed key names an incident already in the register, running or closed: answer with it, start nothing.
      // (Starting would not fail while the workflow runs, since the conflict policy below reuses it.)
      if (key && (await stores.incidents.get(incidentId))) {
        await assertSameRequest(temporal, workflowId, hash);
        return reply.status(200).send(await readIncident(incidentId));
      }
      const facts: IncidentFacts = {
        anchors,
        submissions: {},
        affected: {},
        dataCategories: [],
        encryption: 'none',
        risk: 'risk',
        flags: body.flags,
        entity: body.entity ?? { zone: config.orgTimeZone, calendar: config.orgWorkingCalendar },
      };
      const report: IncidentReport = {
        incidentId,
        title: body.title,
        description: body.description,
        reportedBy: { id: principal.id, type: principal.kind },
        reportedAt: new Date(now).toISOString(),
        systems: body.systems,
        facts,
        contacts: body.contacts,
        ladder: body.escalation ?? DEFAULT_LADDER,
        asapTargetHours: body.asapTargetHours,
        reviewWithinDays: body.reviewWithinDays,
      };
      try {
        const handle = await temporal.workflow.start(incidentWorkflow, {
          workflowId,
          taskQueue: config.taskQueue,
          args: [{ report }],
          memo: { requestHash: hash },
          typedSearchAttributes: [
            { key: SA.process, value: 'incident' },
            { key: SA.status, value: 'triage' },
          ],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        if (key) await assertSameRequest(temporal, handle.workflowId, hash);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await assertSameRequest(temporal, workflowId, hash);
        return reply.status(200).send(await readIncident(incidentId));
      }
      // The register has the incident from this moment, even before a worker picks the workflow up.
      await stores.incidents.save(initialState(report), []);
      return reply.status(201).send(await readIncident(incidentId, { firstObligations: true }));
    },
  );

  app.get(
    '/',
    {
      config: { roles: READERS },
      schema: {
        tags: ['incidents'],
        summary: 'The breach register: every incident, notified or not (GDPR Art. 33(5)), as JSON or CSV',
        querystring: Strict({ phase: Type.Optional(Type.Union(['triage', 'containment', 'assessment', 'notification', 'review', 'closed'].map((p) => Type.Literal(p)))), format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }) }),
        produces: ['application/json', 'text/csv'],
      },
    },
    async (request, reply) => {
      const rows = (await stores.incidents.list({ phase: request.query.phase })).map((r) => registerRow(r.state));
      if (request.query.format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="breach-register.csv"');
        return [REGISTER_COLUMNS.join(','), ...rows.map((r) => csvLine(REGISTER_COLUMNS.map((c) => r[c])))].join('\n') + '\n';
      }
      return { items: rows };
    },
  );

  app.get(
    '/deadlines',
    {
      config: { roles: READERS },
      schema: {
        tags: ['incidents'],
        summary: 'Open obligations across incidents, soonest first: overdue, due within 24 h or 7 days, or all',
        querystring: Strict({ within: Type.Union(Object.keys(WINDOWS).map((w) => Type.Literal(w)), { default: '7d' }) }),
        response: withErrors({ 200: Type.Object({ items: Type.Array(Document) }) }),
      },
    },
    async (request) => {
      const now = Date.now();
      const horizon = now + WINDOWS[request.query.within as keyof typeof WINDOWS];
      const items = (await stores.incidents.list({ open: true }))
        .flatMap(({ state }) =>
          state.obligations
            .filter((o) => isOpen(o) && o.dueAt && Date.parse(o.dueAt) <= horizon)
            .map((o) => withRemaining({ incidentId: state.incidentId, incidentTitle: state.title, obligationId: o.id, title: o.title, regime: o.regime, recipient: o.recipient, status: o.status, statutory: o.statutory, verify: o.verify, citation: o.citation, dueAt: o.dueAt }, now)),
        )
        .filter((o) => request.query.within !== 'overdue' || (o.remainingSeconds ?? 0) < 0)
        .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!));
      return { items };
    },
  );

  app.post(
    '/preview',
    {
      config: { roles: READERS },
      schema: { tags: ['incidents'], summary: 'What-if: the obligations hypothetical facts would create, without starting anything', body: PreviewBody, response: withErrors({ 200: Document }) },
    },
    async (request) => {
      const body = request.body;
      const now = Date.now();
      const errors = factProblems(body, now);
      if (errors.length) throw problems.invalid(errors);
      const facts: IncidentFacts = {
        anchors: normaliseAnchors(body.anchors),
        submissions: Object.fromEntries(body.submissions.map((s) => [s.obligationId, instant(s.at)])),
        affected: body.affected,
        dataCategories: body.dataCategories,
        encryption: body.encryption,
        risk: body.risk,
        flags: body.flags,
        entity: body.entity ?? { zone: config.orgTimeZone, calendar: config.orgWorkingCalendar },
      };
      const assessment = computeObligations(BREACH_RULES, facts, { now: new Date(now).toISOString(), asapTargetHours: body.asapTargetHours });
      return { ...assessment, obligations: assessment.obligations.map((o) => withRemaining(o, now)) };
    },
  );

  app.get(
    '/rules',
    { config: { roles: READERS }, schema: { tags: ['incidents'], summary: 'The rules pack in force: every rule with its citation, source and confidence', response: withErrors({ 200: Document }) } },
    async () => ({ version: BREACH_RULES.version, rules: BREACH_RULES.rules.map((r) => ({ ...r, verify: r.confidence === 'C' })) }),
  );

  app.get(
    '/:incidentId',
    { config: { roles: READERS }, schema: { tags: ['incidents'], summary: 'An incident with its obligations (due, time left, status, explanation, citation) and notice drafts', params: IncidentParams, response: withErrors({ 200: Document }) } },
    async (request) => readIncident(request.params.incidentId),
  );

  for (const route of STEPS) {
    app.post(
      route.path,
      { config: { roles: RESPONDERS }, schema: { tags: ['incidents'], summary: route.summary, params: route.params, body: route.body, response: withErrors({ 200: Document }) } },
      async (request) => {
        const params = request.params as { incidentId: string };
        const body = request.body as { anchors?: Record<string, string>; affected?: Record<string, number>; flags?: string[] };
        const errors = factProblems(body, Date.now());
        if (errors.length) throw problems.invalid(errors);
        const principal = request.principal!;
        const step = route.toStep(body as never, params as never, new Date().toISOString());
        try {
          await temporal.workflow.getHandle(incidentWorkflowId(params.incidentId)).executeUpdate(stepUpdate, { args: [{ step, actor: { id: principal.id, type: principal.kind } }] });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw problems.notFound(`Incident ${params.incidentId}`);
          if (err instanceof WorkflowUpdateFailedError) throw problems.unprocessable((err.cause as Error | undefined)?.message ?? 'step refused');
          if (/already completed/i.test((err as Error).message)) throw problems.conflict('This incident is closed.');
          throw err;
        }
        return readIncident(params.incidentId);
      },
    );
  }

  /**
   * Reads the register's copy, which the workflow writes before a step returns. Right after a report, the caller waits
   * a few seconds for the workflow's first copy (with the obligations computed), and otherwise answers with the
   * report as registered: the clocks start when a worker picks the incident up.
   */
  async function readIncident(incidentId: string, wait: { firstObligations?: boolean } = {}) {
    for (let attempt = 0; ; attempt++) {
      const record = await stores.incidents.get(incidentId);
      if (!record) throw problems.notFound(`Incident ${incidentId}`);
      if (!wait.firstObligations || record.state.version > 1 || attempt >= 50) return incidentView(record, Date.now());
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

export default incidents;
