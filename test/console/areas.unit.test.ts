// The area pages' pure helpers: API times, an opened environment's values, ESC diagnostics,
// typed name lists and schedule kinds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosticText, flattenValues, formatApiTime, parseApiTime, scheduleKind, splitNames, utcInputToRfc3339 } from '../../console/src/areas/format';

describe('area helpers', () => {
  it('reads the APIs’ times: ISO, SQL-style UTC without a zone, milliseconds, and none', () => {
    const ms = Date.UTC(2026, 11, 6, 20, 5, 0);
    assert.equal(parseApiTime('2026-12-06T20:05:00Z'), ms);
    assert.equal(parseApiTime('2026-12-06 20:05:00.000'), ms, 'deployments’ times are UTC');
    assert.equal(parseApiTime(ms), ms);
    assert.ok(Number.isNaN(parseApiTime(null)));
    assert.ok(Number.isNaN(parseApiTime('')));
    assert.equal(formatApiTime('2026-12-06 20:05:00.000'), '2026-12-06 20:05 UTC');
    assert.equal(formatApiTime(null), '—');
    assert.equal(formatApiTime(0, 'Never'), 'Never', 'zero is never, as lastSeen says');
    assert.equal(formatApiTime('not a time', 'x'), 'x');
  });

  it('flattens an opened environment to leaf paths, secret below a secret, odd keys quoted', () => {
    const values = flattenValues({
      app: { value: { name: { value: 'web' }, 'odd key': { value: 3 }, ports: { value: [{ value: 80 }, { value: 443 }] } } },
      creds: { value: { user: { value: 'u' }, pass: { value: 'p' } }, secret: true },
      token: { value: 'hunter2', secret: true },
      empty: { value: {} },
      later: { unknown: true },
      nothing: {},
    });
    assert.deepEqual(values, [
      { path: 'app.name', text: 'web', secret: false },
      { path: 'app["odd key"]', text: '3', secret: false },
      { path: 'app.ports[0]', text: '80', secret: false },
      { path: 'app.ports[1]', text: '443', secret: false },
      { path: 'creds.user', text: 'u', secret: true },
      { path: 'creds.pass', text: 'p', secret: true },
      { path: 'token', text: 'hunter2', secret: true },
      { path: 'empty', text: '{}', secret: false },
      { path: 'later', text: '[unknown]', secret: false },
      { path: 'nothing', text: 'null', secret: false },
    ]);
    assert.deepEqual(flattenValues(undefined), []);
  });

  it('writes a diagnostic with its position when it has one', () => {
    assert.equal(diagnosticText({ summary: 'unknown property "x"', range: { begin: { line: 2, column: 13 } } }), 'line 2, column 13: unknown property "x"');
    assert.equal(diagnosticText({ summary: 'bad', detail: 'why' }), 'bad (why)');
  });

  it('splits a typed list of names on commas and spaces, without blanks or repeats', () => {
    assert.deepEqual(splitNames(' update_failed, deployment_failed  update_failed,,'), ['update_failed', 'deployment_failed']);
    assert.deepEqual(splitNames('   '), []);
  });

  it('classifies schedules as the CLI does', () => {
    assert.equal(scheduleKind({ operation: 'detect-drift' }, false), 'drift');
    assert.equal(scheduleKind({ operation: 'destroy', operationContext: {} }, true), 'ttl');
    assert.equal(scheduleKind({ operation: 'destroy' }, true), 'raw');
    assert.equal(scheduleKind({ operation: 'update' }, false), 'raw');
    assert.equal(scheduleKind(undefined, false), 'raw');
  });

  it('reads a date-time input as UTC for the API', () => {
    assert.equal(utcInputToRfc3339('2026-12-24T08:00'), '2026-12-24T08:00:00Z');
    assert.equal(utcInputToRfc3339('2026-12-24T08:00:00Z'), '2026-12-24T08:00:00Z', 'anything else is sent as typed');
  });
});
