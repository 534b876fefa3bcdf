/**
 * Discord webhook: the day's heading and the link to its page as `content`, one embed per story
 * (title linking the article, the source as author, the first sentence as description). Within
 * Discord's limits, counted as Discord counts (UTF-16 code units): at most 10 embeds, content 2000,
 * embed title 256, description 4096, author name 256, and 6000 across all embeds.
 */
import { firstStories, fitPost, fitText, type PostView } from './post-view';

export const DISCORD_LIMITS = {
  embeds: 10,
  content: 2000,
  title: 256,
  description: 4096,
  authorName: 256,
  embedsTotal: 6000,
} as const;

const STORY_CAPS = { sentence: 400 } as const;

export interface DiscordEmbed {
  title: string;
  url?: string;
  description?: string;
  author: { name: string };
}

export interface DiscordMessage {
  content: string;
  embeds: DiscordEmbed[];
  /** Nobody is pinged by a headline that says "@everyone". */
  allowed_mentions: { parse: [] };
}

/** Discord markdown shown as written: a backslash before each character that would format. */
const escapeMarkdown = (text: string): string => text.replace(/[\\*_~`|>#[\]<]/g, (c) => `\\${c}`);

export function discordMessage(view: PostView): DiscordMessage {
  // One embed per story: no more stories than embeds.
  return fitPost(firstStories(view, DISCORD_LIMITS.embeds), render, fitsDiscord);
}

function render(view: PostView): DiscordMessage {
  const heading = `**${escapeMarkdown(fitText(view.title, 300, escapeMarkdown))} — ${view.date}**`;
  // <url> keeps Discord from adding a preview of the page under the message.
  const footer = view.more > 0 ? `${view.labels.more(view.more)}: <${view.dayUrl}>` : `${view.labels.readAll}: <${view.dayUrl}>`;
  return {
    content: `${heading}\n${footer}`,
    embeds: view.stories.map((story) => ({
      title: escapeMarkdown(fitText(story.title || '—', DISCORD_LIMITS.title, escapeMarkdown)),
      ...(story.url ? { url: story.url } : {}),
      ...(story.sentence ? { description: escapeMarkdown(fitText(story.sentence, STORY_CAPS.sentence, escapeMarkdown)) } : {}),
      author: { name: fitText(story.source || '—', DISCORD_LIMITS.authorName) },
    })),
    allowed_mentions: { parse: [] },
  };
}

/** The characters Discord counts toward an embed's share of the 6000. */
export const embedLength = (embed: DiscordEmbed): number =>
  embed.title.length + (embed.description?.length ?? 0) + embed.author.name.length;

export function fitsDiscord(message: DiscordMessage): boolean {
  return (
    message.content.length <= DISCORD_LIMITS.content &&
    message.embeds.length <= DISCORD_LIMITS.embeds &&
    message.embeds.every(
      (e) =>
        e.title.length <= DISCORD_LIMITS.title &&
        (e.description?.length ?? 0) <= DISCORD_LIMITS.description &&
        e.author.name.length <= DISCORD_LIMITS.authorName,
    ) &&
    message.embeds.reduce((sum, e) => sum + embedLength(e), 0) <= DISCORD_LIMITS.embedsTotal
  );
}
