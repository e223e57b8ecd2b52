/**
 * The one table from an error to its HTTP answer (SPEC C, "Errors"): every route, each item of a
 * wallet batch, the refusals of POST /peer/transactions and the peer stream's frames go through
 * it. A refusal (a protocol or a node rule) answers 4xx/503 with its code and reason; Fastify's
 * own client errors get the API's stable codes; anything else is a 500 INTERNAL, never a crash.
 */
import type { FastifyError, FastifyReply } from 'fastify';
import { BODY_LIMIT } from '../../api/routes.js';
import type { ErrorBody } from '../../api/types.js';
import { describeErrors } from '../../api/validate.js';
import { ProtocolError, type ErrorCode } from '../../core/errors.js';
import { isRefusal, NodeError, type NodeErrorCode } from '../errors.js';

/** The node's own rules. */
const NODE_STATUS: Readonly<Record<NodeErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  STALE_CHALLENGE: 401,
  NOT_FORMED: 503,
  UNKNOWN_RECIPIENT: 422,
  NETWORK_FULL: 409,
  PARAMS_MISMATCH: 409,
  UNKNOWN_NODE: 403,
  CONFLICT: 409,
  FUTURE_BLOCK: 422,
  VERIFIER_MISMATCH: 409,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BUSY: 503,
  RESUMING: 503,
  JOURNAL_FAILED: 503,
  RATE_LIMITED: 429,
};

/** Fastify's own client errors (FST_ERR_…) by status, with the API's codes instead of Fastify's internal ones. */
const CODE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

const REASON_PHRASE: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * The status of a refusal's code: malformed protocol data is a bad request, anything else the
 * core refuses is unprocessable; the node's own rules as NODE_STATUS says.
 */
export function statusOf(code: ErrorCode | NodeErrorCode): number {
  return (NODE_STATUS as Record<string, number | undefined>)[code] ?? (code === 'MALFORMED' ? 400 : 422);
}

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  const error = REASON_PHRASE[statusCode] ?? (statusCode < 500 ? 'Client Error' : 'Internal Server Error');
  return { statusCode, error, code, message };
}

/** A refusal's answer. */
export function refusalBody(err: ProtocolError | NodeError): ErrorBody {
  return errorBody(statusOf(err.code), err.code, err.message);
}

/** Answers with a refusal. */
export function refuse(reply: FastifyReply, err: ProtocolError | NodeError): FastifyReply {
  const body = refusalBody(err);
  return reply.code(body.statusCode).send(body);
}

function publicMessage(fe: FastifyError): string {
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON (or it holds a forbidden "__proto__" or "constructor.prototype" key)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty but the content-type is application/json: send a JSON value';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is too large (the limit is ${BODY_LIMIT} bytes)`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `unsupported content-type: send JSON with "content-type: application/json"`;
    default:
      return fe.message;
  }
}

/** The answer to any error thrown while handling a request; `internal` when it is the node's own failure. */
export function answerOf(err: unknown): { body: ErrorBody; internal: boolean } {
  if (isRefusal(err)) return { body: refusalBody(err), internal: false };
  const fe = err as FastifyError;
  if (fe.validation) return { body: errorBody(400, 'BAD_REQUEST', describeErrors(fe.validation, fe.validationContext)), internal: false };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.code && !fe.code.startsWith('FST_') ? fe.code : (CODE_OF_STATUS[fe.statusCode] ?? 'BAD_REQUEST');
    return { body: errorBody(fe.statusCode, code, publicMessage(fe)), internal: false };
  }
  return { body: errorBody(500, 'INTERNAL', 'the node failed to handle the request; see its log'), internal: true };
}
