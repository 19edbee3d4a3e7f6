import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';

describe('the database URL', () => {
  it('defaults to a SQLite file in the data directory and takes SQLite files and PostgreSQL URLs', () => {
    assert.equal(parseConfig(['--data-dir', '/srv/yard'], {}).databaseUrl, `sqlite:${path.join('/srv/yard', 'stackyard.db')}`);
    for (const url of ['sqlite:/var/lib/yard.db', 'postgres://yard:pw@db:5432/yard', 'postgresql://db/yard']) {
      assert.equal(parseConfig([], { STACKYARD_DATABASE_URL: url }).databaseUrl, url);
    }
  });

  it('refuses any other URL without repeating its password', () => {
    assert.throws(
      () => parseConfig(['--database-url', 'mysql://yard:hunter2@db/yard'], {}),
      { message: "--database-url must be 'sqlite:<file>' or 'postgres://user:password@host:port/database', got 'mysql://yard:[redacted]@db/yard'" },
    );
    assert.throws(() => parseConfig(['--database-url', 'sqlite:'], {}), /must be 'sqlite:<file>'/);
  });
});
