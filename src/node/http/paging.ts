/**
 * The one paging rule of the list routes: `limit` is digits (the schema), 1 to the route's
 * maximum (400 otherwise, never clamped), with a default; a page that has more after it names the
 * next one in a `Link: <…>; rel="next"` header (RFC 8288).
 */
import type { FastifyReply } from 'fastify';
import { NodeError } from '../errors.js';

export const DEFAULT_PAGE = 100;

/** A query number the schema has checked (digits), or `fallback` when absent. */
export function readIndex(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : Number(text);
}

/** The page size asked for: 1 to `max`, DEFAULT_PAGE when absent; throws BAD_REQUEST otherwise. */
export function pageLimit(text: string | undefined, max: number): number {
  const limit = readIndex(text, Math.min(DEFAULT_PAGE, max));
  if (limit < 1 || limit > max) throw new NodeError('BAD_REQUEST', `query field "limit" must be 1 to ${max}, not ${limit}`);
  return limit;
}

/** Names the next page: `path` with `query`. */
export function linkNext(reply: FastifyReply, path: string, query: Readonly<Record<string, number | string | undefined>>): void {
  const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
  void reply.header('link', `<${path}?${search.toString()}>; rel="next"`);
}
