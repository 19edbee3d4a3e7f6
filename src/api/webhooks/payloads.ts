import type { WebhookFormat } from './events.js';

/** Who caused an event, as payloads name them (`UserInfo`). */
export interface PayloadUser {
  name: string;
  githubLogin: string;
  avatarUrl: string;
}

/**
 * One event to deliver: the documented raw payload's own fields (after `user` and
 * `organization`, which every raw payload starts with), and what the chat formats show of it.
 */
export interface EventContent {
  fields: Record<string, unknown>;
  summary: {
    title: string;
    /** Whether it reports a success (green), a failure (red) or neither. */
    outcome?: 'succeeded' | 'failed';
    facts: [string, string][];
    link?: { label: string; url: string };
  };
}

export const pingMessage = '🍹 Just a friendly ping from Pulumi 🍹';

/** The ping's content: Pulumi's ping body, `{timestamp, message}`, with nothing else. */
export function pingContent(nowMs: number): { raw: Record<string, unknown>; summary: EventContent['summary'] } {
  return { raw: { timestamp: Math.floor(nowMs / 1000), message: pingMessage }, summary: { title: pingMessage, facts: [] } };
}

/**
 * The request body for a hook's format, as compact JSON: raw is Pulumi's payload; Slack gets an
 * incoming-webhook message, Microsoft Teams a message holding an Adaptive Card, both carrying the
 * event's facts and link.
 */
export function renderBody(format: WebhookFormat, raw: Record<string, unknown>, summary: EventContent['summary']): string {
  switch (format) {
    case 'slack':
      return JSON.stringify(slackMessage(summary));
    case 'ms_teams':
      return JSON.stringify(teamsMessage(summary));
    default:
      return JSON.stringify(raw);
  }
}

const slackColors = { succeeded: 'good', failed: 'danger' } as const;

function slackMessage(summary: EventContent['summary']) {
  const link = summary.link ? ` <${summary.link.url}|${summary.link.label}>` : '';
  return {
    text: `${summary.title}${link}`,
    attachments: [
      {
        fallback: summary.title,
        ...(summary.outcome && { color: slackColors[summary.outcome] }),
        ...(summary.link && { title: summary.link.label, title_link: summary.link.url }),
        fields: summary.facts.map(([title, value]) => ({ title, value, short: true })),
      },
    ],
  };
}

function teamsMessage(summary: EventContent['summary']) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: summary.title,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              ...(summary.outcome && { color: summary.outcome === 'succeeded' ? 'Good' : 'Attention' }),
            },
            ...(summary.facts.length > 0 ? [{ type: 'FactSet', facts: summary.facts.map(([title, value]) => ({ title, value })) }] : []),
          ],
          ...(summary.link && { actions: [{ type: 'Action.OpenUrl', title: summary.link.label, url: summary.link.url }] }),
        },
      },
    ],
  };
}
