import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimPath, evaluatePolicies, rulesMatch, wildcardMatches, type PolicyDefinition } from '../../src/api/oidc/policy.js';

describe('OIDC policy rules', () => {
  it('claim paths split on dots outside quotes', () => {
    assert.deepEqual(claimPath('sub'), ['sub']);
    assert.deepEqual(claimPath('"kubernetes.io".pod.name'), ['kubernetes.io', 'pod', 'name']);
  });

  it('wildcards as Pulumi documents them: * any run, ? zero or one character, . exactly one; the whole value', () => {
    assert.ok(wildcardMatches('runner-*', 'runner-abc'));
    assert.ok(!wildcardMatches('runner-*', 'my-runner-abc'));
    assert.ok(wildcardMatches('v?', 'v') && wildcardMatches('v?', 'v1') && !wildcardMatches('v?', 'v12'));
    assert.ok(wildcardMatches('a.c', 'abc') && wildcardMatches('a.c', 'a.c') && !wildcardMatches('a.c', 'ac'));
    assert.ok(wildcardMatches('repo:acme/(x)+[y]$', 'repo:acme/(x)+[y]$'), 'other characters are literal');
  });

  it('every rule must match; nested, array and non-string claims; a missing claim fails', () => {
    const claims = { sub: 'repo:acme/app', aud: ['x', 'urn:pulumi:org:acme'], 'kubernetes.io': { pod: { name: 'runner-1' } }, run: 7 };
    assert.ok(rulesMatch({}, claims));
    assert.ok(rulesMatch({ sub: 'repo:acme/*', aud: 'urn:pulumi:org:acme', '"kubernetes.io".pod.name': 'runner-*', run: '7' }, claims));
    assert.ok(!rulesMatch({ sub: 'repo:acme/*', missing: '*' }, claims));
    assert.ok(!rulesMatch({ 'sub.x': '*' }, claims));
  });

  it('deny wins whatever the order; no match denies; admin needs an allow granting it', () => {
    const allow: PolicyDefinition = { decision: 'allow', tokenType: 'organization', authorizedPermissions: [], rules: { sub: 'repo:acme/*' } };
    const deny: PolicyDefinition = { decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: { sub: 'repo:acme/evil' } };
    const org = { tokenType: 'organization' as const, admin: false };
    assert.deepEqual(evaluatePolicies([allow, deny], org, { sub: 'repo:acme/evil' }), { allowed: false, reason: 'denied' });
    assert.deepEqual(evaluatePolicies([deny, allow], org, { sub: 'repo:acme/app' }), { allowed: true });
    assert.deepEqual(evaluatePolicies([allow], org, { sub: 'repo:other/app' }), { allowed: false, reason: 'no-match' });
    assert.deepEqual(evaluatePolicies([allow], { ...org, admin: true }, { sub: 'repo:acme/app' }), { allowed: false, reason: 'no-match' });
    assert.deepEqual(evaluatePolicies([{ ...allow, authorizedPermissions: ['admin'] }], { ...org, admin: true }, { sub: 'repo:acme/app' }), { allowed: true });
    const team: PolicyDefinition = { ...allow, tokenType: 'team', teamName: 'deploy-*' };
    assert.deepEqual(evaluatePolicies([team], { tokenType: 'team', principal: 'deploy-prod', admin: false }, { sub: 'repo:acme/app' }), { allowed: true });
    assert.deepEqual(evaluatePolicies([team], { tokenType: 'team', principal: 'ops', admin: false }, { sub: 'repo:acme/app' }), { allowed: false, reason: 'no-match' });
    assert.deepEqual(evaluatePolicies([allow], { tokenType: 'personal', principal: 'alice', admin: false }, { sub: 'repo:acme/app' }), { allowed: false, reason: 'no-match' });
  });
});
