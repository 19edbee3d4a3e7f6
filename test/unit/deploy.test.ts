// deploy/ cannot be built here (no container engine): what can be checked without one is that the
// Dockerfile copies files that exist and runs a command line the server accepts, and that the
// compose file's services are wired to each other and to real configuration variables.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { configOptions, parseConfig } from '../../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dockerfile = fs.readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8');

describe('deploy/Dockerfile', () => {
  it('copies files the repository has', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    assert.ok(copied.length >= 5, copied.join(' '));
    for (const source of copied) assert.ok(fs.existsSync(path.join(root, source)), `COPY ${source}`);
  });

  it('runs stackyard serve with options the server accepts, as a user other than root', () => {
    const command = JSON.parse(/^CMD (\[.+\])$/m.exec(dockerfile)![1]!) as string[];
    assert.deepEqual(command.slice(0, 3), ['node', 'bin/stackyard.js', 'serve']);
    const config = parseConfig(command.slice(3), {});
    assert.deepEqual([config.host, config.dataDir], ['0.0.0.0', '/data']);
    assert.match(dockerfile, /^USER node$/m);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(fs.readFileSync(path.join(root, 'deploy/compose.yaml'), 'utf8'), { merge: true });

  it('runs two replicas on one database and one bucket, each with every variable a real option', () => {
    const known = new Set<string>(configOptions.map((o) => o.env));
    const replicas = ['stackyard-a', 'stackyard-b'].map((name) => compose.services[name]);
    for (const replica of replicas) {
      for (const variable of Object.keys(replica.environment)) assert.ok(known.has(variable), variable);
      assert.match(replica.environment.STACKYARD_DATABASE_URL, /^postgres:\/\/stackyard:stackyard@postgres:5432\/stackyard$/);
      assert.equal(replica.environment.STACKYARD_BLOB_STORE, 's3://stackyard');
      assert.equal(replica.build.dockerfile, 'deploy/Dockerfile');
    }
    assert.notDeepEqual(replicas[0].ports, replicas[1].ports);
    assert.ok(compose.services.postgres && compose.services.minio && compose.services.bucket);
  });
});
