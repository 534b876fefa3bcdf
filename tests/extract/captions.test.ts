/** Photo captions never reach the article text, also when a page puts one outside any <figure>. */
import { extractArticle } from '../../src/extract';

const paragraphs = [
  'The regional parliament approved the new water law on Thursday after three months of debate between the coalition parties.',
  'The law caps how much farmers may draw from rivers in dry summers and funds new reservoirs in the hills above the valley.',
  'Environmental groups welcomed the caps but said the reservoirs would flood two protected wetlands that host migrating birds.',
  'The agriculture minister said compensation for farmers would be paid from next spring, once the first meters are installed.',
];
const CAPTION = 'Farmers inspect a dry riverbed near the valley town. Photo: Staff photographer';

const page = (
  body: string,
): string => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Water law passes</title></head>
<body><main><article><h1>Water law passes after months of debate</h1>${body}</article></main></body></html>`;

describe('captions', () => {
  it('drops a stray <figcaption> outside any <figure>, keeping every paragraph', () => {
    const html = page(
      `<p>${paragraphs[0]}</p><p>${paragraphs[1]}</p><img src="/river.jpg" alt=""><figcaption>${CAPTION}</figcaption><p>${paragraphs[2]}</p><p>${paragraphs[3]}</p>`,
    );
    const { text } = extractArticle(html, 'https://news.example.org/water-law');
    for (const p of paragraphs) expect(text).toContain(p);
    expect(text).not.toContain('dry riverbed');
    expect(text).not.toContain('Staff photographer');
  });

  it('drops a caption inside <figure> too', () => {
    const html = page(
      `<p>${paragraphs[0]}</p><figure><img src="/river.jpg" alt=""><figcaption>${CAPTION}</figcaption></figure><p>${paragraphs[1]}</p><p>${paragraphs[2]}</p>`,
    );
    const { text } = extractArticle(html, 'https://news.example.org/water-law');
    expect(text).toContain(paragraphs[2]);
    expect(text).not.toContain('dry riverbed');
  });
});
