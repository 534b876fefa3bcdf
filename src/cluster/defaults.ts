/** Defaults of the clustering options, apart so the config schema can name them without loading the clusterer. */
export const CLUSTER_DEFAULTS = Object.freeze({
  /** Best B-cubed F1 on the bench's dev set; on held-out topics the choice varies 0.27–0.33 (`npm run bench:cluster`). */
  threshold: 0.34,
  windowHours: 72,
});
