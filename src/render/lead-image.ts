/**
 * A story's lead image on the page and in the mail (config `site.images`). Only `https:` images
 * whose URL carries no secret (the redaction of src/http/redact.ts leaves it unchanged: a signed
 * image URL is dropped rather than shown broken or leaked), with a size so the layout never shifts
 * (the page's declared size, else a fixed 16:9 box the picture is cropped into), loaded lazily,
 * without a Referer, and described by the page's own alt text or else the story's title.
 */
import { redactUrl } from '../http/redact';
import type { DigestStory } from '../types';
import { cleanLine, markup, safeHttpUrl, type SafeHtml } from './html';

/** The box of a picture whose size the page did not declare (16:9, the usual og:image shape). */
export const IMAGE_BOX = { width: 640, height: 360 } as const;

export interface LeadImage {
  src: string;
  width: number;
  height: number;
  /** True when the size is our box rather than the picture's own (the picture is cropped into it). */
  boxed: boolean;
  alt: string;
}

/** The image to show for a story, or undefined when it has none we may show. */
export function leadImageOf(story: DigestStory): LeadImage | undefined {
  const src = safeHttpUrl(story.leadImage);
  if (!src || !src.startsWith('https:') || redactUrl(src) !== src) return undefined;
  const alt = cleanLine(story.leadImageAlt) || cleanLine(story.translatedTitle) || cleanLine(story.title);
  if (!alt) return undefined;
  const declared = story.leadImageWidth && story.leadImageHeight && story.leadImageWidth > 0 && story.leadImageHeight > 0;
  return declared
    ? { src, width: story.leadImageWidth!, height: story.leadImageHeight!, boxed: false, alt }
    : { src, ...IMAGE_BOX, boxed: true, alt };
}

/** The picture on the page: sized by its attributes, scaled to the column by the stylesheet (`img.lead`). */
export function renderLeadImage(story: DigestStory): SafeHtml | string {
  const image = leadImageOf(story);
  if (!image) return '';
  return markup`<img class="lead${image.boxed ? ' box' : ''}" src="${image.src}" width="${image.width}" height="${image.height}" alt="${image.alt}" loading="lazy" decoding="async" referrerpolicy="no-referrer">`;
}
