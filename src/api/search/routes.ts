import { Readable } from 'node:stream';
import { Type, type Static } from 'typebox';
import type { Services } from '../../context.js';
import { ApiError } from '../../errors.js';
import type { App } from '../../http/types.js';
import { sortFieldOf } from './query.js';
import { pageWindow, sortFields, type SearchQuery, type SortField } from './service.js';

const OrgParams = Type.Object({ orgName: Type.String() });
const FieldList = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 });
const SearchQueryString = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 8192 })),
  sort: Type.Optional(FieldList),
  asc: Type.Optional(Type.Boolean()),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: pageWindow })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: pageWindow })),
  cursor: Type.Optional(Type.String({ maxLength: 4096 })),
  // The older name of `cursor` in Pulumi's documentation.
  continue: Type.Optional(Type.String({ maxLength: 4096 })),
  facet: Type.Optional(FieldList),
  top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  properties: Type.Optional(Type.Boolean()),
});
const ExportQueryString = Type.Object({
  query: SearchQueryString.properties.query,
  sort: SearchQueryString.properties.sort,
  asc: SearchQueryString.properties.asc,
  properties: SearchQueryString.properties.properties,
});

/** Sort and facet names: the query language's field names and their aliases (`parentUrn`…), where the field sorts. */
const sortable = new Set<string>(sortFields);

function fieldsOf(parameter: 'sort' | 'facet', names: string[] | undefined): SortField[] | undefined {
  return names?.map((name) => {
    const field = sortFieldOf(name);
    if (field === undefined || !sortable.has(field)) throw new ApiError('bad_request', `unknown ${parameter} field '${name}'; one of: ${sortFields.join(', ')}`);
    return field as SortField;
  });
}

function searchQueryOf(q: Partial<Static<typeof SearchQueryString>>): SearchQuery {
  return {
    query: q.query,
    sort: fieldsOf('sort', q.sort),
    asc: q.asc,
    page: q.page,
    size: q.size,
    cursor: q.cursor || q.continue,
    facet: fieldsOf('facet', q.facet),
    top: q.top,
    properties: q.properties,
  };
}

/** Resource search and its CSV export (Data Export), over the organization's readable stacks. */
export function registerSearchRoutes(app: App, services: Services): void {
  const search = services.search;
  app.get('/api/orgs/:orgName/search/resources', { schema: { params: OrgParams, querystring: SearchQueryString } }, async (request) =>
    search.search(request.caller, request.params.orgName, searchQueryOf(request.query), `/api/orgs/${encodeURIComponent(request.params.orgName)}/search/resources`),
  );

  app.get('/api/orgs/:orgName/search/resources/export', { schema: { params: OrgParams, querystring: ExportQueryString } }, async (request, reply) => {
    const lines = search.export(request.caller, request.params.orgName, searchQueryOf(request.query));
    // The first chunk is read before answering, so a bad query or a refusal is a 4xx, not a cut stream.
    const first = await lines.next();
    async function* rest() {
      if (!first.done) yield first.value;
      yield* lines;
    }
    return reply
      .type('application/octet-stream')
      .header('Content-Disposition', 'attachment; filename="resources.csv"')
      .send(Readable.from(rest()));
  });

  // Whether search is available: here it always is, for members.
  app.head('/api/orgs/:orgName/search', { schema: { params: OrgParams } }, async (request, reply) => {
    await search.available(request.caller, request.params.orgName);
    return reply.code(200).send();
  });
}
