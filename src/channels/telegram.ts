/**
 * Telegram Bot API `sendMessage` with `parse_mode: HTML`: the heading in bold, a numbered list of
 * stories (the title linking the article, the source in italics, the first sentence) and a link to
 * the day's page. Only tags Telegram accepts (b, i, a), text escaped by construction (`markup`),
 * and at most 4096 characters of text after entity parsing, counted as Telegram counts (UTF-16
 * code units of the text without its tags, entities decoded).
 */
import { markup, type SafeHtml } from '../render/html';
import { fitPost, fitText, type PostView } from './post-view';

export const TELEGRAM_LIMITS = { text: 4096 } as const;

const STORY_CAPS = { title: 250, source: 100, sentence: 400 } as const;

export interface TelegramMessage {
  chat_id: number | string;
  text: string;
  parse_mode: 'HTML';
  link_preview_options: { is_disabled: true };
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** The text Telegram shows (and counts) for an HTML-mode message: tags dropped, entities decoded. */
export function telegramVisibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity.toLowerCase()] ?? all;
    const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

export function telegramMessage(view: PostView, chatId: number | string): TelegramMessage {
  const html = fitPost(view, render, (h) => telegramVisibleText(h.value).length <= TELEGRAM_LIMITS.text);
  return { chat_id: chatId, text: html.value, parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
}

function render(view: PostView): SafeHtml {
  const stories = view.stories.map((story, i) => {
    const title = fitText(story.title, STORY_CAPS.title);
    const source = fitText(story.source, STORY_CAPS.source);
    const sentence = fitText(story.sentence, STORY_CAPS.sentence);
    const titleHtml = story.url ? markup`<a href="${story.url}">${title}</a>` : markup`<b>${title}</b>`;
    return markup`${i + 1}. ${titleHtml}${source ? markup`\n<i>${source}</i>` : ''}${sentence ? markup` — ${sentence}` : ''}\n\n`;
  });
  const footer = view.more > 0 ? markup`${view.labels.more(view.more)}: ` : '';
  return markup`<b>${view.title} — ${view.date}</b>\n\n${stories}${footer}<a href="${view.dayUrl}">${view.labels.readAll}</a>`;
}
