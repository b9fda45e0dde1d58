// The defaults of `msinet segment`, in one place: segment(), the training loop, the CLI (its
// parsing and --help), the demo and the web app all read them from here, so a change of default
// (measured, see the README) is one edit. No imports: the CLI's --help loads this file alone.
export const SEGMENT_DEFAULTS = {
  seed: 0,
  /** Per restart. The reference trains once for up to 300; three restarts of up to 100 spend the same
   * budget and, combined, scored higher on every seed measured (README, "Restarts and consensus"). */
  maxIter: 100,
  minLabels: 4,
  /** Width of the 3x3 layers (the reference's 100). 64 scored the same on the shared benchmark over
   * seeds 0-9 with the other defaults and is 1.6x faster per iteration, but a single 64-channel
   * training is less reliable (README, "Network width"), so the reference's width stays. */
  channels: 100,
  restarts: 3,
  /** Boundary refinement (Potts weight per agreeing neighbour, model/refine.ts); 0 turns it off. */
  refine: 1,
  finalLabels: 'forward',
  superpixels: 'felzenszwalb',
  nSegments: 500,
  compactness: 0.1,
  reduce: 'pca',
  components: 3,
  tic: false,
  sqrt: false,
  contrast: 'patch',
  temperature: 0.5,
  /** The reference divides the [0, 1] input by 255 before the network (see METHOD.md). */
  inputScale: 1 / 255,
  /** Pixels without a spectrum (model/sparse.ts; measured in bench/sparse.ts, README "Sparse acquisitions"). */
  sparse: 'fill',
} as const;
