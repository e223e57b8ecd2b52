/**
 * Health for supervisors and load balancers: `GET /healthz` answers 200 while the process serves
 * requests (live); `GET /readyz` answers 200 once the network is formed and this node has caught
 * up with its peers, 503 otherwise (ready), each with a small JSON body saying why.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { API } from '../../api/routes.js';
import { routeOptions } from './route.js';

export interface HealthParts {
  /** Formed, funded and staked (formation/readiness.ts). */
  ready(): boolean;
  /** The last catch-up check found no peer ahead (sync/). */
  caughtUp(): boolean;
  height(): number;
}

export function registerHealthRoutes(server: FastifyInstance, parts: HealthParts): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.route({ ...routeOptions(API.healthz), handler: async () => ({ live: true }) });
  app.route({
    ...routeOptions(API.readyz),
    handler: async (_req, reply) => {
      const formed = parts.ready();
      const caughtUp = parts.caughtUp();
      return reply
        .code(formed && caughtUp ? 200 : 503)
        .send({ ready: formed && caughtUp, formed, caught_up: caughtUp, height: parts.height() });
    },
  });
}
