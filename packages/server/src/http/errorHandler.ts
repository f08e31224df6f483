import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, problem } from './errors';

/**
 * Every failure leaves the server as problem details with a code — never a bare 500 page.
 * Fastify's own errors (malformed JSON, body too large, wrong content type) are mapped to codes.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      if (err.headers) reply.headers(err.headers);
      return reply
        .code(err.status)
        .type('application/problem+json')
        .send(problem(err.code, err.message, err.status, err.fieldErrors));
    }
    const fe = err as FastifyError;
    const status = fe.statusCode ?? 500;
    if (status < 500 && request.url.startsWith('/oauth/')) {
      // OAuth clients (any standard library) expect RFC 6749 §5.2 errors from these endpoints.
      return reply
        .code(status === 413 ? 413 : 400)
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', error_description: fe.message || 'Malformed request.' });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply
        .code(413)
        .type('application/problem+json')
        .send(problem('E_TOO_LARGE', 'Request body is too large.', 413));
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply
        .code(415)
        .type('application/problem+json')
        .send(problem('E_VALIDATION', `Unsupported content type: ${request.headers['content-type'] ?? 'none'}.`, 415));
    }
    if (fe.validation || (status >= 400 && status < 500)) {
      // Malformed JSON, empty JSON body, bad form encoding and similar client mistakes.
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problem('E_VALIDATION', fe.message || 'Invalid request.', 400));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .type('application/problem+json')
      .send(problem('E_INTERNAL', 'Internal error.', 500));
  });
}
