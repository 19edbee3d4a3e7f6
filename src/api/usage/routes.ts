import { Type } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { granularities } from './service.js';

const OrgParams = Type.Object({ orgName: Type.String() });
const WholeNumber = Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
/** Ranges and which of the two lookbacks are given are the service's to judge, with messages naming the problem. */
const SummaryQuery = Type.Object({
  granularity: Type.Enum([...granularities]),
  lookbackDays: Type.Optional(WholeNumber),
  lookbackStart: Type.Optional(WholeNumber),
});

/**
 * Resources under management: `GET /api/orgs/{org}/resources/summary` (also at the docs' path
 * without `/api`) and its Insights sibling `…/discovered-resources/summary`; organization admins only.
 */
export function registerUsageRoutes(app: App, services: Services): void {
  const usage = services.usage;

  for (const path of ['/api/orgs/:orgName/resources/summary', '/orgs/:orgName/resources/summary']) {
    app.get(path, { schema: { params: OrgParams, querystring: SummaryQuery } }, async (request) =>
      usage.resourceSummary(request.caller, request.params.orgName, request.query),
    );
  }
  app.get('/api/orgs/:orgName/discovered-resources/summary', { schema: { params: OrgParams, querystring: SummaryQuery } }, async (request) =>
    usage.discoveredResourceSummary(request.caller, request.params.orgName, request.query),
  );
}
