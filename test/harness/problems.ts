/** Assertions on RFC 9457 answers, shared by the bad-input suites. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

export interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

/** The problem document of an answer with this status, checked to be `application/problem+json`. */
export function problemOf(res: Response, status: number): Problem {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const problem = res.json() as Problem;
  expect(problem.status).toBe(status);
  return problem;
}

/** A 400 whose errors name `field`. */
export function expectInvalid(res: Response, field: string, message?: RegExp): void {
  const problem = problemOf(res, 400);
  const fields = (problem.errors ?? []).map((e) => e.field);
  if (!fields.includes(field)) throw new Error(`expected an error for ${field}, got ${JSON.stringify(problem.errors)}`);
  if (message) expect(problem.errors!.find((e) => e.field === field)!.message).toMatch(message);
  expect(problem.detail).toContain(field);
}
