// The OpenAPI description the server serves: a valid OpenAPI 3 document with every route in it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let document: any;

before(async () => {
  server = await startTestServer();
  const reply = await fetch(`${server.url}/api/openapi/pulumi-spec.json`);
  assert.equal(reply.status, 200);
  document = await reply.json();
});
after(() => server.close());

/** `GET /api/stacks/:orgName` → `GET /api/stacks/{orgName}`, for every route the router holds. */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of server.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + match[2]!;
    prefixes[depth] = path;
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes;
}

describe('GET /api/openapi/pulumi-spec.json', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.0');
  });

  it('describes every registered route, and nothing else', () => {
    const described = Object.entries<Record<string, unknown>>(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The web console's files are not part of the API the document describes.
    const registered = registeredRoutes().filter((route) => route !== 'GET /assets/{file}');
    assert.ok(registered.length > 100, `the route tree was read: ${registered.length} routes`);
    assert.deepEqual([...new Set(described)].sort(), [...new Set(registered)].sort());
  });

  it('says which credential each route takes', () => {
    const security = (method: string, path: string) => document.paths[path][method].security;
    assert.deepEqual(security('get', '/healthz'), []);
    assert.deepEqual(security('get', '/api/user'), [{ token: [] }]);
    assert.deepEqual(security('patch', '/api/stacks/{orgName}/{projectName}/{stackName}/update/{updateId}/journalentries'), [{ updateToken: [] }]);
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['token', 'updateToken']);
  });
});
