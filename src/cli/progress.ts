/** Progress for long runs: one redrawn line on a TTY, plain log lines otherwise. */
import type { PipelineEvent } from '../pipeline/events';

export interface ProgressWriter {
  onEvent(event: PipelineEvent): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressWriter {
  const tty = !!stream.isTTY && !process.env.CI;
  let stage = '';
  let total = 0;
  let count = 0;
  // Feeds and their articles are fetched together (each feed's new stories right after the feed),
  // so each has its own count; the articles' total is the new items announced by the feeds so far.
  let articlesDone = 0;
  let articlesKnown = 0;
  let lastLine = '';
  const draw = (line: string): void => {
    if (tty) {
      const cols = stream.columns || 80;
      stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
      lastLine = line;
    } else {
      stream.write(line + '\n');
    }
  };
  const clear = (): void => {
    if (tty && lastLine) {
      stream.write('\r\x1b[2K');
      lastLine = '';
    }
  };
  const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return {
    onEvent(e) {
      switch (e.type) {
        case 'stage':
          clear();
          stage = e.stage;
          total = e.total;
          count = 0;
          if (e.stage === 'feeds') articlesDone = articlesKnown = 0;
          if (e.stage === 'articles') [articlesDone, articlesKnown] = [0, e.total];
          if (!tty) stream.write(`== ${stage} (${total})\n`);
          break;
        case 'feed': {
          count++;
          articlesKnown += e.itemsNew;
          const status =
            e.status === 'error'
              ? `FAILED ${e.errorClass ?? ''}: ${e.error ?? ''}`
              : e.status === 'not-modified'
                ? 'not modified'
                : e.status === 'deferred'
                  ? 'deferred to the next run (out of time)'
                  : `${e.itemsNew} new${e.warning ? ` (${e.warning})` : ''}`;
          if (tty && e.status === 'error') {
            clear();
            stream.write(`  ✗ ${oneLine(e.name)} — ${oneLine(status)}\n`);
          }
          draw(`[feeds ${count}/${total}] ${oneLine(e.name)}: ${oneLine(status)}`);
          break;
        }
        case 'article':
          articlesDone++;
          draw(
            `[articles ${articlesDone}/${Math.max(articlesDone, articlesKnown)}] ${e.contentSource === 'page' ? 'page' : `feed text${e.errorClass ? ` (${e.errorClass})` : ''}`}: ${oneLine(e.title).slice(0, 100)}`,
          );
          break;
        case 'summary':
          count++;
          if (tty) draw(`[summaries ${count}/${total}]`);
          break;
        case 'published':
          clear();
          if (!tty) stream.write(`published ${e.keys.length} files\n`);
          break;
      }
    },
    done: clear,
  };
}
