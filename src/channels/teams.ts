/**
 * Microsoft Teams incoming webhook (a Workflows webhook or the older connector): a message with
 * one Adaptive Card (version 1.4, the newest every Teams client renders): the heading, one
 * container per story (the title linking the article, the source, the first sentence) and a
 * button to the day's page. Within Teams' limit of 28 KB per message, counted in bytes of the JSON.
 */
import { fitPost, fitText, type PostView } from './post-view';

export const TEAMS_LIMITS = { payloadBytes: 28 * 1024, cardVersion: '1.4' } as const;

const STORY_CAPS = { title: 250, source: 100, sentence: 600 } as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap: true;
  size?: 'Large';
  weight?: 'Bolder';
  isSubtle?: true;
  spacing?: 'None';
}

export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
    contentUrl: null;
    content: {
      $schema: string;
      type: 'AdaptiveCard';
      version: string;
      body: (TextBlock | { type: 'Container'; separator: true; items: TextBlock[] })[];
      actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
    };
  }[];
}

/**
 * Adaptive Card markdown shown as written: a backslash before the characters of its bold, italic and
 * link syntax (the subset every Teams client renders; other punctuation is left alone so that no
 * client shows a stray backslash).
 */
const escapeMarkdown = (text: string): string => text.replace(/[\\*_[\]]/g, (c) => `\\${c}`);

/** `[label](url)`: a parenthesis or space in the URL would end it early, so they are percent-encoded. */
const link = (url: string, label: string): string =>
  `[${label}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20')})`;

const text = (value: string, extra: Partial<TextBlock> = {}): TextBlock => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

export function teamsMessage(view: PostView): TeamsMessage {
  return fitPost(view, render, fitsTeams);
}

function render(view: PostView): TeamsMessage {
  const stories = view.stories.map((story) => {
    const title = escapeMarkdown(fitText(story.title, STORY_CAPS.title));
    const items = [text(story.url ? link(story.url, title) : title, { weight: 'Bolder' })];
    if (story.source)
      items.push(text(escapeMarkdown(fitText(story.source, STORY_CAPS.source)), { isSubtle: true, spacing: 'None' }));
    if (story.sentence) items.push(text(escapeMarkdown(fitText(story.sentence, STORY_CAPS.sentence))));
    return { type: 'Container' as const, separator: true as const, items };
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: TEAMS_LIMITS.cardVersion,
          body: [
            text(escapeMarkdown(view.title), { size: 'Large', weight: 'Bolder' }),
            text(view.date, { isSubtle: true, spacing: 'None' }),
            ...stories,
            ...(view.more > 0 ? [text(`${view.labels.more(view.more)}.`)] : []),
          ],
          actions: [{ type: 'Action.OpenUrl', title: view.labels.readAll, url: view.dayUrl }],
        },
      },
    ],
  };
}

export const fitsTeams = (message: TeamsMessage): boolean =>
  Buffer.byteLength(JSON.stringify(message), 'utf8') <= TEAMS_LIMITS.payloadBytes;
