/** A route of the table (src/api/routes.ts) as Fastify's route options, with what the OpenAPI document shows. */
import type { RouteSpec } from '../../api/routes.js';

export function routeOptions<R extends RouteSpec>(
  spec: R,
): { method: R['method']; url: R['url']; schema: R['schema'] & { summary: string; tags: string[] } } {
  return {
    method: spec.method,
    url: spec.url,
    schema: {
      ...spec.schema,
      summary: spec.summary,
      tags: [...spec.tags],
      ...(spec.produces ? { produces: [...spec.produces] } : {}),
      ...(spec.auth ? { security: [{ token: [] }] } : {}),
    },
  };
}
