// The integration API's answers when something is wrong, as RFC 9457 problems in the caller's
// language: Fastify's own errors (validation, body too large, wrong media type, bad JSON) and the
// use cases' refusals. Validation problems list each field at fault as a JSON pointer.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { translator } from '../../context.js';
import { sendProblem, type ProblemFieldError } from '../../problem.js';

export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const t = translator(request).api;
  return sendProblem(reply, 404, 'not-found', t.notFound, t.notFoundDetail);
}

export function unprocessable(request: FastifyRequest, reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, 422, 'unprocessable', translator(request).api.unprocessable, detail);
}

export function conflict(request: FastifyRequest, reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, 409, 'conflict', translator(request).api.conflict, detail);
}

export function badRequest(request: FastifyRequest, reply: FastifyReply, errors: ProblemFieldError[]): FastifyReply {
  const t = translator(request).api;
  return sendProblem(reply, 400, 'validation', t.validation, t.validationDetail, errors);
}

type Where = ProblemFieldError['in'];

/** The JSON pointer of the first string holding U+0000 (which PostgreSQL text cannot store). */
export function nulCharacterAt(value: unknown, pointer = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer || '/' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  // Only what JSON and query parsing make: never a stream (a file's body) or another object graph.
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nulCharacterAt(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * A preValidation hook: a body, query or path holding U+0000 anywhere is refused with a 400
 * problem naming where, before any schema or query sees it (PostgreSQL refuses the byte: it would
 * be a 500 otherwise, found by schemathesis).
 */
export async function refuseNulCharacters(request: FastifyRequest, reply: FastifyReply) {
  for (const [where, value] of [
    ['body', request.body],
    ['query', request.query],
    ['params', request.params],
  ] as const) {
    const pointer = nulCharacterAt(value);
    if (pointer) {
      return badRequest(request, reply, [{ pointer, in: where, detail: translator(request).api.nulCharacter }]);
    }
  }
}

function whereOf(context: string | undefined): Where {
  if (context === 'querystring') return 'query';
  if (context === 'params' || context === 'headers') return context;
  return 'body';
}

/** Every error of the integration routes, as a problem (500s logged, their detail never sent). */
export function integrationErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const t = translator(request).api;
  if (error.validation) {
    const where = whereOf(error.validationContext);
    const errors = error.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const pointer = missing ? `${v.instancePath}/${missing}` : v.instancePath;
      return { pointer: pointer || '/', in: where, detail: v.message ?? 'invalid' };
    });
    return sendProblem(reply, 400, 'validation', t.validation, t.validationDetail, errors);
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status === 413) return sendProblem(reply, 413, 'too-large', t.tooLarge, t.tooLargeDetail(10));
  if (status === 415) return sendProblem(reply, 415, 'unsupported-media-type', t.unsupportedMediaType, error.message);
  if (status < 500) {
    request.log.info({ code: error.code, status }, 'API request refused');
    // Malformed JSON and the like: a validation problem of the body, without echoing it.
    return sendProblem(reply, 400, 'validation', t.validation, t.validationDetail, [
      { pointer: '/', in: 'body', detail: error.code ?? 'bad request' },
    ]);
  }
  if (error.name === 'WorkflowUnavailableError') {
    request.log.error({ err: error }, 'API request: Temporal unavailable');
    return sendProblem(reply, 503, 'unavailable', t.unavailable, t.unavailableDetail);
  }
  request.log.error({ err: error }, 'API request failed');
  return sendProblem(reply, 500, 'internal', t.internal, t.internalDetail);
}
