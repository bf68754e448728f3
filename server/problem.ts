// RFC 9457 problem details for the integration API: `application/problem+json` with type, title,
// status, detail and, for validation, the fields at fault. The `type` is a stable URI per kind of
// problem (documented in docs/api.md), never the text, which is in the caller's language.
import type { FastifyReply } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type ProblemKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'validation'
  | 'conflict'
  | 'idempotency-in-progress'
  | 'idempotency-mismatch'
  | 'unprocessable'
  | 'too-large'
  | 'unsupported-media-type'
  | 'file-refused'
  | 'unavailable'
  | 'cursor-expired'
  | 'too-many-requests'
  | 'internal';

export interface ProblemFieldError {
  /** A JSON pointer into the request part named by `in`. */
  pointer: string;
  in: 'body' | 'query' | 'params' | 'headers';
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
}

export function problemType(kind: ProblemKind): string {
  return `https://guichet.example/problems/${kind}`;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  kind: ProblemKind,
  title: string,
  detail: string,
  errors?: ProblemFieldError[],
): FastifyReply {
  const body: Problem = { type: problemType(kind), title, status, detail, ...(errors ? { errors } : {}) };
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="guichet"');
  return reply.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
