/**
 * Health for supervisors and load balancers: `GET /healthz` answers 200 while the process serves
 * requests (live); `GET /readyz` answers 200 once the network is formed and this node has caught
 * up with its peers, 503 otherwise (ready), each with a small JSON body saying why.
 */
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../api/routes.js';

export interface HealthParts {
  /** Formed, funded and staked (formation/readiness.ts). */
  ready(): boolean;
  /** The last catch-up check found no peer ahead (sync/). */
  caughtUp(): boolean;
  height(): number;
}

export function registerHealthRoutes(app: FastifyInstance, parts: HealthParts): void {
  app.get(ROUTES.healthz, (_req, reply) => reply.send({ live: true }));
  app.get(ROUTES.readyz, (_req, reply) => {
    const formed = parts.ready();
    const caughtUp = parts.caughtUp();
    return reply
      .code(formed && caughtUp ? 200 : 503)
      .send({ ready: formed && caughtUp, formed, caught_up: caughtUp, height: parts.height() });
  });
}
