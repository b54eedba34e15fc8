import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { validateAnswers } from '../../domain/vendor/questionnaire';
import { QUESTIONNAIRES } from '../../domain/vendor/questionnaires/sets';
import type { Answers } from '../../domain/vendor/types';
import type { VendorQuestionnaire } from '../../store/vendors';
import { questionnaireSubmittedSignal, vendorWorkflowId } from '../../workflows/vendor';
import { HttpProblem, problems } from '../problem';
import { Strict, withErrors } from '../schemas';
import { AnswersSchema } from '../vendor-schemas';

const Token = Strict({ token: Type.String({ minLength: 10, maxLength: 4000 }) });
const Document = Type.Object({}, { additionalProperties: true });

/**
 * The vendor-facing questionnaire. The vendor's contact has no account: the signed, expiring link e-mailed to them is
 * the credential, and it opens this one questionnaire only. Answers can be saved as often as needed and submitted
 * once; every use is in the access log under the vendor's id.
 */
const vendorPortal: FastifyPluginAsyncTypebox = async (app) => {
  const { stores, temporal } = app.deps;

  async function questionnaireOf(request: FastifyRequest, token: string): Promise<VendorQuestionnaire> {
    const checked = app.deps.links.check(token);
    if (!checked.ok) {
      throw checked.reason === 'expired'
        ? new HttpProblem(410, 'invalid-link', 'Link expired', 'This questionnaire link has expired; ask your contact for a new one.')
        : new HttpProblem(403, 'invalid-link', 'Invalid link', 'This link is not valid.');
    }
    if (checked.claims.act !== 'questionnaire' || !checked.claims.ref) throw new HttpProblem(403, 'invalid-link', 'Invalid link', 'This link is not for a questionnaire.');
    request.linkSubject = `vendor:${checked.claims.sub}`;
    const q = await stores.vendors.questionnaire(checked.claims.ref);
    if (!q || q.vendorId !== checked.claims.sub) throw new HttpProblem(403, 'invalid-link', 'Invalid link', 'This link is not valid.');
    if (q.status === 'submitted') throw problems.conflict('This questionnaire was already submitted; it cannot be changed.');
    if (q.status === 'expired' || Date.parse(q.expiresAt) <= Date.now()) throw new HttpProblem(410, 'invalid-link', 'Link expired', 'This questionnaire has expired; ask your contact for a new one.');
    return q;
  }

  function setOf(q: VendorQuestionnaire) {
    const set = Object.values(QUESTIONNAIRES).find((s) => s.id === q.setId && s.version === q.setVersion);
    if (!set) throw new Error(`question set ${q.setId}@${q.setVersion} is not known`);
    return set;
  }

  function answerProblems(q: VendorQuestionnaire, answers: Answers, partial: boolean) {
    const found = validateAnswers(setOf(q), answers, { partial });
    if (found.length) throw problems.invalid(found.map((p) => ({ field: `body.answers.${p.questionId}`, message: p.message })));
  }

  app.get(
    '/questionnaire',
    { config: { roles: 'public' }, schema: { tags: ['vendor portal'], summary: 'The questionnaire, with the answers saved so far', querystring: Token, response: withErrors({ 200: Document }) } },
    async (request) => {
      const q = await questionnaireOf(request, request.query.token);
      const set = setOf(q);
      return { questionnaireId: q.questionnaireId, title: set.title, version: set.version, expiresAt: q.expiresAt, status: q.status, questions: set.questions, answers: q.answers, savedAt: q.savedAt ?? null };
    },
  );

  app.put(
    '/questionnaire/answers',
    { config: { roles: 'public' }, schema: { tags: ['vendor portal'], summary: 'Save answers (partial answers are fine; replaces what was saved)', querystring: Token, body: Strict({ answers: AnswersSchema }), response: withErrors({ 200: Document }) } },
    async (request) => {
      const q = await questionnaireOf(request, request.query.token);
      const answers = request.body.answers as Answers;
      answerProblems(q, answers, true);
      const savedAt = new Date().toISOString();
      if (!(await stores.vendors.saveAnswers(q.questionnaireId, answers, savedAt))) throw problems.conflict('This questionnaire is no longer open.');
      return { questionnaireId: q.questionnaireId, status: 'open', savedAt };
    },
  );

  app.post(
    '/questionnaire/submit',
    {
      config: { roles: 'public' },
      schema: { tags: ['vendor portal'], summary: 'Submit the questionnaire, once: the answers given here, or those saved', querystring: Token, body: Strict({ answers: Type.Optional(AnswersSchema) }), response: withErrors({ 200: Document }) },
      // Submitting what was saved needs no body at all (a plain "Submit" button): no body reads as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const q = await questionnaireOf(request, request.query.token);
      const answers = (request.body.answers ?? q.answers) as Answers;
      answerProblems(q, answers, false);
      const at = new Date().toISOString();
      if (request.body.answers && !(await stores.vendors.saveAnswers(q.questionnaireId, answers, at))) throw problems.conflict('This questionnaire is no longer open.');
      // The database decides who submits: a second submit, or one racing the expiry, changes nothing.
      if (!(await stores.vendors.close(q.questionnaireId, 'submitted', at))) throw problems.conflict('This questionnaire was already submitted or has expired.');
      await temporal.workflow.getHandle(vendorWorkflowId(q.vendorId)).signal(questionnaireSubmittedSignal, { questionnaireId: q.questionnaireId });
      return { questionnaireId: q.questionnaireId, status: 'submitted', submittedAt: at };
    },
  );
};

export default vendorPortal;
