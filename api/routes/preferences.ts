import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LinkClaims } from '../../domain/signed-token';
import { publicUrl } from '../../platform/config';
import { eventIdFor } from '../../store/consent-recorder';
import { captureConsent } from '../consent-lifecycle';
import { HttpProblem, problems } from '../problem';
import { OpaqueId, Strict, withErrors } from '../schemas';

const Token = Strict({ token: Type.String({ minLength: 10, maxLength: 4000 }) });
const PREFERENCE_LINK_SECONDS = 7 * 24 * 3600;

/**
 * What a person reaches from a link in an e-mail, without logging in: the double opt-in confirmation, the preference
 * centre, and one-click withdrawal. The signed, expiring token is the credential; each use is logged with the
 * subject as actor. Links open a page whose button does the change (a POST), so a mail scanner that fetches links
 * can never confirm or withdraw on someone's behalf.
 */
const preferences: FastifyPluginAsyncTypebox = async (app) => {
  const { subjects, purposes, consents } = app.deps.stores;
  // The pages' buttons submit plain HTML forms; only these routes accept that body type.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));

  function claims(request: FastifyRequest, token: string, act: LinkClaims['act']): LinkClaims {
    const checked = app.deps.links.check(token);
    if (!checked.ok) throw new HttpProblem(checked.reason === 'expired' ? 410 : 403, 'invalid-link', 'Invalid link', checked.reason === 'expired' ? 'This link has expired; ask for a new one.' : 'This link is not valid.');
    if (checked.claims.act !== act) throw new HttpProblem(403, 'invalid-link', 'Invalid link', 'This link is not for this page.');
    request.linkSubject = checked.claims.sub;
    return checked.claims;
  }

  // Where the person acted is part of the proof: the page (without its token), named like a form.
  const person = (request: FastifyRequest, sub: string, formId: string) => ({
    actor: { id: `subject:${sub}`, type: 'person' as const },
    ipAddress: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 1000),
    source: { formId, url: `${publicUrl(app.deps.config)}${request.routeOptions.url}` },
  });

  app.post(
    '/subjects/:subjectId/preference-links',
    {
      config: { roles: ['system', 'compliance-officer', 'admin'] },
      schema: {
        tags: ['consent'],
        summary: 'Create a signed, expiring preference-centre link for a subject (to put in an e-mail or a page)',
        params: Strict({ subjectId: OpaqueId('Subject id') }),
        response: withErrors({ 201: Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }) }),
      },
    },
    async (request, reply) => {
      if (!(await subjects.get(request.params.subjectId))) throw problems.notFound(`Subject ${request.params.subjectId}`);
      const exp = Math.floor(Date.now() / 1000) + PREFERENCE_LINK_SECONDS;
      return reply.status(201).send({ url: app.deps.links.url('/preferences', { act: 'preferences', sub: request.params.subjectId, exp }), expiresAt: new Date(exp * 1000).toISOString() });
    },
  );

  app.get('/consent/confirm', { config: { roles: 'public' }, schema: { tags: ['public'], summary: 'Double opt-in confirmation page', querystring: Token } }, async (request, reply) => {
    claims(request, request.query.token, 'confirm');
    return page(reply, 'Confirm your subscription', '<p>Please confirm that you asked for this.</p>', 'Confirm');
  });

  app.post(
    '/consent/confirm',
    { config: { roles: 'public' }, schema: { tags: ['public'], summary: 'Confirm a double opt-in request', querystring: Token, response: withErrors({ 200: Type.Object({ confirmed: Type.Array(Type.String()) }) }) } },
    async (request) => {
      const c = claims(request, request.query.token, 'confirm');
      const confirmed: string[] = [];
      for (const purposeId of c.pur ?? []) {
        const state = await consents.state(c.sub, purposeId);
        // Only the request this link was sent for: a link from an older, lapsed request confirms nothing.
        // Confirming replaces the grant event id, so a second click is recognised by the confirmation it recorded.
        if (state?.status === 'active' && (state.grantEventId === c.ref || (await consents.event(eventIdFor(c.sub, purposeId, 'confirm', `confirm:${c.ref}`))))) confirmed.push(purposeId);
        else if (state?.status !== 'pending-confirmation' || state.grantEventId !== c.ref) throw problems.conflict('This confirmation link is no longer valid: the request lapsed or was replaced.');
        else {
          await captureConsent(app, { subjectId: c.sub, purposeId, action: 'confirm', method: 'form', at: new Date(), idempotencyKey: `confirm:${c.ref}`, ...person(request, c.sub, 'double-opt-in-confirmation') });
          confirmed.push(purposeId);
        }
      }
      return { confirmed };
    },
  );

  app.get(
    '/preferences',
    {
      config: { roles: 'public' },
      schema: {
        tags: ['public'],
        summary: 'The preference centre: every purpose with the notice text and the current choice',
        querystring: Token,
        response: withErrors({
          200: Type.Object({
            subjectId: Type.String(),
            purposes: Type.Array(Type.Object({ purposeId: Type.String(), name: Type.String(), description: Type.String(), lawfulBasis: Type.String(), channels: Type.Array(Type.String()), noticeVersionId: Type.Union([Type.String(), Type.Null()]), noticeText: Type.Union([Type.String(), Type.Null()]), status: Type.String(), expiresAt: Type.Union([Type.String(), Type.Null()]) })),
          }),
        }),
      },
    },
    async (request) => {
      const c = claims(request, request.query.token, 'preferences');
      const [all, states] = await Promise.all([purposes.list(), consents.statesOf(c.sub)]);
      const items = await Promise.all(
        all.map(async (purpose) => {
          const state = states.find((s) => s.purposeId === purpose.id);
          const notice = purpose.currentNoticeVersionId ? await purposes.notice(purpose.currentNoticeVersionId) : undefined;
          return {
            purposeId: purpose.id,
            name: purpose.name,
            description: purpose.description,
            lawfulBasis: purpose.lawfulBasis,
            channels: purpose.channels,
            noticeVersionId: notice?.id ?? null,
            noticeText: notice?.text ?? null,
            status: state?.status ?? 'none',
            expiresAt: state?.schedule.expiresAt ?? null,
          };
        }),
      );
      return { subjectId: c.sub, purposes: items };
    },
  );

  app.post(
    '/preferences',
    {
      config: { roles: 'public' },
      schema: {
        tags: ['public'],
        summary: 'Change choices in the preference centre; each change is recorded with full proof',
        querystring: Token,
        body: Strict({
          changes: Type.Array(Strict({ purposeId: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }), choice: Type.Union([Type.Literal('grant'), Type.Literal('withdraw')]), noticeVersionId: Type.Optional(Type.String({ maxLength: 100 })) }), { minItems: 1, maxItems: 100 }),
        }),
        response: withErrors({ 200: Type.Object({ results: Type.Array(Type.Object({ purposeId: Type.String(), status: Type.String(), eventId: Type.String() })) }) }),
      },
    },
    async (request) => {
      const c = claims(request, request.query.token, 'preferences');
      const results = [];
      for (const change of request.body.changes) {
        const recorded = await captureConsent(app, {
          subjectId: c.sub,
          purposeId: change.purposeId,
          action: change.choice === 'grant' ? 'grant' : 'withdraw',
          method: 'preference-centre',
          noticeVersionId: change.noticeVersionId,
          proof: change.choice === 'grant' ? { element: `preference-centre:${change.purposeId}`, preTicked: false, action: 'switched on' } : undefined,
          at: new Date(),
          ...person(request, c.sub, 'preference-centre'),
        });
        results.push({ purposeId: change.purposeId, status: recorded.state.status, eventId: recorded.event.id });
      }
      return { results };
    },
  );

  app.get('/preferences/withdraw', { config: { roles: 'public' }, schema: { tags: ['public'], summary: 'One-click withdrawal page', querystring: Token } }, async (request, reply) => {
    claims(request, request.query.token, 'withdraw');
    return page(reply, 'Withdraw your consent', '<p>One click and we stop.</p>', 'Withdraw');
  });

  app.post(
    '/preferences/withdraw',
    { config: { roles: 'public' }, schema: { tags: ['public'], summary: 'Withdraw with one click, no login', querystring: Token, response: withErrors({ 200: Type.Object({ withdrawn: Type.Array(Type.String()) }) }) } },
    async (request) => {
      const c = claims(request, request.query.token, 'withdraw');
      const withdrawn: string[] = [];
      for (const purposeId of c.pur ?? []) {
        const state = await consents.state(c.sub, purposeId);
        if (state?.status === 'active' || state?.status === 'pending-confirmation') {
          await captureConsent(app, { subjectId: c.sub, purposeId, action: 'withdraw', method: 'preference-centre', at: new Date(), ...person(request, c.sub, 'one-click-withdrawal') });
        }
        withdrawn.push(purposeId);
      }
      return { withdrawn };
    },
  );
};

/** A minimal page whose one button POSTs back to the same URL (token included). */
function page(reply: FastifyReply, title: string, body: string, button: string) {
  return reply
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}<form method="post"><button type="submit">${button}</button></form></body></html>`);
}

export default preferences;
