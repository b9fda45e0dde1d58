// The imzML preprocessing defaults of segmentation, in one place: the CLI (its parsing and
// --help), the web app's segment tab and the benchmarks read them. No imports: --help loads it.
/**
 * What `msinet segment` and the web app's segment tab do to imzML spectra unless told otherwise
 * (preprocessImzml's own defaults stay neutral for other callers, e.g. coloc). The square root
 * is measured: on noisy simulated spectra it lifted the k-means screen from 0.69 / 0.31 (median,
 * continuous / processed) to 0.99 / 0.98 and MSInet with it (README, "Pre-processing of spectra").
 */
export const SEGMENT_PREPROCESS_DEFAULTS = {
  binWidth: 0.01,
  binUnit: 'da',
  topK: 500,
  select: 'variance',
  normalize: 'tic',
  transform: 'sqrt',
} as const;
