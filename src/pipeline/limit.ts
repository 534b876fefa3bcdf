/** The pipeline's stages map with bounded concurrency through the shared helper (src/concurrency). */
export { mapLimit } from '../concurrency';
