/**
 * The article's lead image from the page's metadata: OpenGraph first (with its declared size and
 * alt text, which describe that image only), then Twitter cards, then JSON-LD `image`.
 */
import type { ExtractedArticle } from '../types';
import { absoluteHttpUrl, firstMeta } from './metadata';

export type LeadImageFields = Pick<ExtractedArticle, 'leadImage' | 'leadImageWidth' | 'leadImageHeight' | 'leadImageAlt'>;

/** Larger than any real picture: a declared size beyond it is a typo, not a size. */
const MAX_DIMENSION = 20_000;

const dimension = (raw: string | undefined): number | undefined => {
  const n = raw && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  return n > 0 && n <= MAX_DIMENSION ? n : undefined;
};

/** Alt text worth keeping: some words, not a file name ("IMG_2041.jpg"). */
const usefulAlt = (raw: string | undefined): string | undefined => {
  const alt = raw?.replace(/\s+/g, ' ').trim();
  if (!alt || /^[\w.-]+\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$/i.test(alt)) return undefined;
  return alt.slice(0, 300);
};

export function leadImageOf(metas: Map<string, string>, jsonLdImage: string | undefined, pageUrl: string): LeadImageFields {
  const og = absoluteHttpUrl(firstMeta(metas, ['og:image', 'og:image:url', 'og:image:secure_url']), pageUrl);
  if (og) {
    const width = dimension(metas.get('og:image:width'));
    const height = dimension(metas.get('og:image:height'));
    const alt = usefulAlt(metas.get('og:image:alt'));
    return {
      leadImage: og,
      ...(width && height ? { leadImageWidth: width, leadImageHeight: height } : {}),
      ...(alt ? { leadImageAlt: alt } : {}),
    };
  }
  const other = absoluteHttpUrl(firstMeta(metas, ['twitter:image', 'twitter:image:src']) ?? jsonLdImage, pageUrl);
  if (!other) return {};
  const alt = usefulAlt(metas.get('twitter:image:alt'));
  return { leadImage: other, ...(alt ? { leadImageAlt: alt } : {}) };
}
