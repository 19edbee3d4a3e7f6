// The organization pages' pure helpers: token expiry and times, and the audit log's query string.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditQuery, expiresAt, formatTime, formatUnixSeconds, noAuditFilter, permissionLabel, unixSecondsOf } from '../../console/src/org/format';

describe('token times', () => {
  it('sends 0 for a token that never expires, else Unix seconds that many days ahead', () => {
    const now = Date.UTC(2026, 11, 6, 12, 0, 0, 500);
    assert.equal(expiresAt(0, now), 0);
    assert.equal(expiresAt(30, now), Date.UTC(2026, 11, 6, 12) / 1000 + 30 * 86_400);
  });

  it('shows 0 (never used, never expires) as a word and other times in UTC to the minute', () => {
    assert.equal(formatUnixSeconds(0), 'Never');
    assert.equal(formatUnixSeconds(0, 'not yet'), 'not yet');
    assert.equal(formatUnixSeconds(Date.UTC(2026, 0, 2, 3, 4, 59) / 1000), '2026-01-02 03:04 UTC');
    assert.equal(formatTime(Date.parse('2026-12-06T19:55:28.123Z')), '2026-12-06 19:55 UTC');
  });

  it('names stack permissions as the server does, and unknown values as they are', () => {
    assert.equal(permissionLabel(101), 'Read');
    assert.equal(permissionLabel(102), 'Edit');
    assert.equal(permissionLabel(103), 'Admin');
    assert.equal(permissionLabel(7), '7');
  });
});

describe('audit log query', () => {
  it('is empty without filters', () => {
    assert.equal(auditQuery(noAuditFilter), '');
  });

  it('sends the spec names, the range in Unix seconds read as UTC, and extra parameters only when set', () => {
    const query = auditQuery(
      { user: ' alice ', event: 'team-created', from: '2026-12-06T10:00', to: '2026-12-06T11:30:15' },
      { continuationToken: 'abc', format: undefined },
    );
    const params = new URLSearchParams(query.slice(1));
    assert.equal(query[0], '?');
    assert.equal(params.get('userFilter'), 'alice');
    assert.equal(params.get('eventFilter'), 'team-created');
    assert.equal(params.get('startTime'), String(Date.UTC(2026, 11, 6, 10) / 1000));
    assert.equal(params.get('endTime'), String(Date.UTC(2026, 11, 6, 11, 30, 15) / 1000));
    assert.equal(params.get('continuationToken'), 'abc');
    assert.equal(params.has('format'), false);
  });

  it('drops a time the browser could not give as one', () => {
    assert.equal(unixSecondsOf(''), undefined);
    assert.equal(unixSecondsOf('not a time'), undefined);
    assert.equal(auditQuery({ ...noAuditFilter, from: 'garbage' }), '');
  });
});
