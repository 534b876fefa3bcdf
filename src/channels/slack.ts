/**
 * Slack incoming webhook: Block Kit (a header, one section per story, a context line linking the
 * day's page) with a plain `text` fallback for notifications. Within Slack's limits, counted as
 * Slack counts (UTF-16 code units): at most 50 blocks, header text 150, section and context text 3000.
 */
import { fitPost, fitText, type PostView } from './post-view';

export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, contextText: 3000, fallbackText: 3000 } as const;

/** Per-story caps, so that one long headline cannot crowd out the others. */
const STORY_CAPS = { title: 250, source: 100, sentence: 600 } as const;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** Slack's three control characters in mrkdwn text; everything else is shown as written. */
const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<url|label>`: a "|" or ">" in the URL would end it early, so they are percent-encoded. */
const link = (url: string, label: string): string => `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeMrkdwn(label)}>`;

export function slackMessage(view: PostView): SlackMessage {
  return fitPost(view, render, fitsSlack);
}

function render(view: PostView): SlackMessage {
  const heading = `${view.title} — ${view.date}`;
  const stories: SlackBlock[] = view.stories.map((story) => {
    const title = fitText(story.title, STORY_CAPS.title, escapeMrkdwn);
    const line = story.url ? link(story.url, title) : escapeMrkdwn(title);
    const about = [
      fitText(story.source, STORY_CAPS.source, escapeMrkdwn),
      fitText(story.sentence, STORY_CAPS.sentence, escapeMrkdwn),
    ]
      .filter(Boolean)
      .map(escapeMrkdwn);
    return { type: 'section', text: { type: 'mrkdwn', text: [`*${line}*`, about.join(' — ')].filter(Boolean).join('\n') } };
  });
  const footer =
    view.more > 0
      ? `${view.labels.more(view.more)}: ${link(view.dayUrl, view.labels.readAll)}`
      : link(view.dayUrl, view.labels.readAll);
  return {
    text: fitText(
      `${heading}: ${view.labels.stories(view.stories.length + view.more)} ${view.dayUrl}`,
      SLACK_LIMITS.fallbackText,
      escapeMrkdwn,
    ),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitText(heading, SLACK_LIMITS.headerText), emoji: true } },
      ...stories,
      { type: 'context', elements: [{ type: 'mrkdwn', text: footer }] },
    ],
    unfurl_links: false,
    unfurl_media: false,
  };
}

export function fitsSlack(message: SlackMessage): boolean {
  return (
    message.blocks.length <= SLACK_LIMITS.blocks &&
    message.text.length <= SLACK_LIMITS.fallbackText &&
    message.blocks.every((block) => {
      if (block.type === 'header') return block.text.text.length <= SLACK_LIMITS.headerText;
      if (block.type === 'section') return block.text.text.length <= SLACK_LIMITS.sectionText;
      return block.elements.every((e) => e.text.length <= SLACK_LIMITS.contextText);
    })
  );
}
