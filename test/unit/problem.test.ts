import { findOperatorKey, toProblem, HttpProblem } from '../../api/problem';

describe('operator keys', () => {
  it('finds $-keys and dotted keys at any depth and names their path', () => {
    expect(findOperatorKey({ a: 1 })).toBeUndefined();
    expect(findOperatorKey({ $where: 'x' })).toBe('body.$where');
    expect(findOperatorKey({ a: { b: [{ ok: 1 }, { 'c.d': 2 }] } })).toBe('body.a.b[1].c.d');
    expect(findOperatorKey([{ x: { $gt: 1 } }])).toBe('body[0].x.$gt');
    expect(findOperatorKey('plain string')).toBeUndefined();
    expect(findOperatorKey(null)).toBeUndefined();
  });
});

describe('problem mapping', () => {
  it('keeps a client error and names the field of a validation failure', () => {
    const error = Object.assign(new Error('body/name must be string'), {
      validation: [{ instancePath: '/roles/1', message: 'must be equal to one of the allowed values', keyword: 'enum', params: {} }],
      validationContext: 'body',
      statusCode: 400,
    });
    const problem = toProblem(error);
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ field: 'body.roles[1]', message: 'must be equal to one of the allowed values' }]);
  });

  it('names unknown and missing properties', () => {
    const error = Object.assign(new Error('x'), {
      validation: [
        { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'extra' }, message: 'must NOT have additional properties' },
        { instancePath: '/resource', keyword: 'required', params: { missingProperty: 'id' }, message: "must have required property 'id'" },
      ],
      validationContext: 'body',
    });
    expect(toProblem(error).errors).toEqual([
      { field: 'body.extra', message: 'is not a known field' },
      { field: 'body.resource.id', message: 'is required' },
    ]);
  });

  it('maps framework client errors to 4xx with their field', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(toProblem(tooLarge)).toMatchObject({ status: 413, errors: [{ field: 'body' }] });
    const mediaType = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(toProblem(mediaType)).toMatchObject({ status: 415, errors: [{ field: 'headers.content-type' }] });
  });

  it('hides internals of unexpected errors', () => {
    const problem = toProblem(new Error('connection string mongodb://user:secret@host'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
  });

  it('passes an HttpProblem through', () => {
    expect(toProblem(new HttpProblem(409, 'conflict', 'Conflict', 'already used'))).toMatchObject({ status: 409, detail: 'already used', type: 'https://complyflow.dev/problems/conflict' });
  });
});
