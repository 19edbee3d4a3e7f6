import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPrivateAddress, headerLines } from '../../src/api/webhooks/delivery.js';
import { subscribes, subscriptionProblem } from '../../src/api/webhooks/events.js';
import { renderBody } from '../../src/api/webhooks/payloads.js';
import { updateEndedEvent } from '../../src/api/webhooks/stack-events.js';

const stack = { organization: 'acme', project: 'web', stack: 'prod' };
const update = { id: 'u1', kind: 'update', dryRun: false, version: 4, succeeded: false, resourceChanges: '{"create":3,"same":0,"delete":1}' };

describe('webhook payload formats', () => {
  const fired = updateEndedEvent('https://stackyard.example', stack, update, 'alice')!;
  const raw = { organization: { name: 'Acme', githubLogin: 'acme', avatarUrl: '' }, ...fired.content.fields };

  it('raw is the documented stack_update payload, compact, zero counts left out', () => {
    const body = renderBody('raw', raw, fired.content.summary);
    assert.equal(fired.event, 'update_failed');
    assert.equal(
      body,
      '{"organization":{"name":"Acme","githubLogin":"acme","avatarUrl":""},"projectName":"web","stackName":"prod","updateUrl":"https://stackyard.example/acme/web/prod/updates/4","kind":"update","result":"failed","resourceChanges":{"create":3,"delete":1},"isPreview":false}',
    );
  });

  it('slack is an incoming-webhook message: text with the link, a red attachment with the facts', () => {
    const message = JSON.parse(renderBody('slack', raw, fired.content.summary));
    assert.equal(message.text, 'Update failed on acme/web/prod (version 4) <https://stackyard.example/acme/web/prod/updates/4|View update>');
    assert.equal(message.attachments[0].color, 'danger');
    assert.deepEqual(message.attachments[0].fields, [
      { title: 'Stack', value: 'acme/web/prod', short: true },
      { title: 'Operation', value: 'update', short: true },
      { title: 'By', value: 'alice', short: true },
      { title: 'Resources', value: 'create 3, delete 1', short: true },
    ]);
  });

  it('ms_teams is a message holding an Adaptive Card with the facts and a link action', () => {
    const message = JSON.parse(renderBody('ms_teams', raw, fired.content.summary));
    const card = message.attachments[0].content;
    assert.equal(message.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.body[0].color, 'Attention');
    assert.deepEqual(card.body[1].facts[0], { title: 'Stack', value: 'acme/web/prod' });
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'View update', url: 'https://stackyard.example/acme/web/prod/updates/4' }]);
  });

  it('a preview links to the preview, names the previewed operation, and fires preview_*', () => {
    const preview = updateEndedEvent('https://s', stack, { ...update, kind: 'preview', dryRun: true, succeeded: true }, undefined)!;
    assert.equal(preview.event, 'preview_succeeded');
    assert.equal(preview.content.fields.kind, 'update');
    assert.equal(preview.content.fields.updateUrl, 'https://s/acme/web/prod/previews/u1');
    const refresh = updateEndedEvent('https://s', stack, { ...update, kind: 'refresh', dryRun: true, succeeded: true }, undefined)!;
    assert.equal(refresh.event, 'preview_succeeded');
    assert.equal(refresh.content.fields.kind, 'refresh');
  });
});

describe('webhook subscriptions', () => {
  it('no filters and no groups is every event; otherwise a named filter or its group', () => {
    assert.equal(subscribes([], [], 'update_failed'), true);
    assert.equal(subscribes(['update_failed'], [], 'update_succeeded'), false);
    assert.equal(subscribes([], ['stacks'], 'destroy_failed'), true);
    assert.equal(subscribes([], ['deployments'], 'destroy_failed'), false);
    assert.equal(subscribes([], ['environments'], 'environment_rotation_failed'), false, 'rotation events are in no group');
    assert.equal(subscribes(['environment_rotation_failed'], [], 'environment_rotation_failed'), true);
  });

  it('filters and groups are checked against the scope', () => {
    assert.equal(subscriptionProblem('organization', ['stack_created', 'environment_created'], ['stacks', 'change_requests']), undefined);
    assert.match(subscriptionProblem('stack', ['stack_created'], [])!, /organization webhooks only/);
    assert.match(subscriptionProblem('environment', ['update_failed'], [])!, /organization and stack webhooks only/);
    assert.match(subscriptionProblem('environment', [], ['stacks'])!, /unknown webhook group 'stacks' for environment webhooks/);
    assert.match(subscriptionProblem('organization', ['__proto__'], [])!, /unknown webhook filter/);
  });
});

describe('delivery helpers', () => {
  it('private addresses: loopback, RFC 1918, shared, link-local, unspecified, IPv6 local and mapped IPv4', () => {
    for (const address of ['127.0.0.1', '10.0.0.8', '172.16.5.4', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::FFFF:127.0.0.1']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'example.com']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  it('header lines as Pulumi records them: sorted by name, CRLF-terminated', () => {
    assert.equal(headerLines({ 'Pulumi-Webhook-Kind': 'ping', Accept: '*/*', 'Set-Cookie': ['a', 'b'], Skipped: undefined }), 'Accept: */*\r\nPulumi-Webhook-Kind: ping\r\nSet-Cookie: a, b\r\n');
  });
});
