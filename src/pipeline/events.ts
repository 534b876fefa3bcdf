import type { ErrorClass, FeedStatus } from '../types';

/** Progress events the pipeline emits; the CLI draws them, the Lambda logs them. */
export type PipelineEvent =
  | { type: 'stage'; stage: 'feeds' | 'articles' | 'summaries' | 'publish' | 'mail' | 'channels'; total: number }
  | {
      type: 'feed';
      url: string;
      name: string;
      status: FeedStatus;
      errorClass?: ErrorClass;
      error?: string;
      /** Read in spite of a problem (a truncated document): only its complete items. */
      warning?: string;
      itemsNew: number;
    }
  | { type: 'article'; url: string; title: string; contentSource: 'page' | 'feed'; errorClass?: ErrorClass }
  | { type: 'summary'; id: string; kind: string }
  | { type: 'published'; keys: string[] };
