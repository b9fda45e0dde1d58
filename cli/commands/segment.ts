import type { Command } from 'commander';
import { SEGMENT_PREPROCESS_DEFAULTS as P } from '../../io/preprocess-defaults.ts';
import { SEGMENT_DEFAULTS as D } from '../../model/defaults.ts';

export function register(program: Command): void {
  program
    .command('segment')
    .description('Segment an MSI image with MSInet (self-supervised CNN, trained on the image itself)')
    .argument('<input>', '.npy ((N, C) with --shape, or (H, W, C)) or .imzML (continuous or processed)')
    .requiredOption('-o, --out <dir>', 'output folder: labels.npy, segmentation.png, segments.csv, confidence.npy, confidence.png, report.json')
    .option('--shape <H,W>', 'image size for an (N, C) .npy matrix (rows are pixels, row-major)')
    .option('--seed <n>', 'random seed (weights, dropout, augmentations); restarts use seeds derived from it', String(D.seed))
    .option('--max-iter <n>', 'stop each training after this many iterations', String(D.maxIter))
    .option('--min-labels <n|auto>', 'the number of segments: training stops when the network uses this many labels or fewer, and the restarts are combined into this many; auto picks 2-12 from the restarts (needs --restarts >= 2)', String(D.minLabels))
    .option('--channels <n>', 'width of the network\'s 3x3 layers (the reference: 100; 64 is 1.6x faster per iteration, see the README)', String(D.channels))
    .option('--restarts <n>', 'train n times from derived seeds and combine the label maps (co-association consensus); also writes where they disagree (confidence.png)', String(D.restarts))
    .option('--refine <beta>', 'boundary refinement after training: each pixel takes the segment that best explains its features, plus beta per 4-neighbour in that segment (0 = off)', String(D.refine))
    .option('--final-labels <rule>', 'stop: the labels of the iteration that met --min-labels; forward: one more pass after it, as the reference code', D.finalLabels)
    .option('--superpixels <method>', 'felzenszwalb (as the reference code) or slic', D.superpixels)
    .option('--n-segments <n>', 'SLIC: approximate number of superpixels', String(D.nSegments))
    .option('--compactness <x>', 'SLIC: colour vs space balance, in units of the [0, 1] scaled features', String(D.compactness))
    .option('--reduce <method>', 'when there are more than 3 features: pca (GPU), umap or none', D.reduce)
    .option('--contrast <loss>', 'patch (thresholded cosine, the reference) or infonce (two augmented views)', D.contrast)
    .option('--temperature <t>', 'InfoNCE temperature', String(D.temperature))
    .option('--input-scale <x>', 'factor applied to the [0, 1] features before the network (reference: 1/255)', String(D.inputScale))
    .option('--sparse <mode>', 'pixels without a spectrum (sparse imzML grids): zeros (enter the network as 0), exclude (left out of the BatchNorm statistics and the losses), fill (filled from measured neighbours first) or both', D.sparse)
    .option('--tic', 'divide each pixel by its total intensity first (.npy input)')
    .option('--sqrt', `square-root transform the features first (imzML: the default${P.transform === 'sqrt' ? '' : ' is not to'}; .npy: off unless given)`)
    .option('--no-sqrt', 'imzML: keep the intensities as they are (no square root)')
    .option('--truth <file>', 'ground-truth labels (.npy, or text with one label per line) for ARI / NMI')
    .option('--bin-width <x>', 'imzML: m/z bin width for processed data', String(P.binWidth))
    .option('--bin-unit <unit>', 'imzML: da or ppm', P.binUnit)
    .option('--top-k <n>', 'imzML: number of m/z features kept', String(P.topK))
    .option('--select <by>', 'imzML: keep the top-k features by mean or variance', P.select)
    .option('--normalize <how>', 'imzML: tic, rms or none', P.normalize)
    .option('--tic-threshold <x>', 'imzML: pixels with a raw TIC below this are masked out')
    .option('--max-spectrum-points <n>', 'imzML: refuse spectra that declare more points than this (guards against corrupt headers)', String(2 ** 23))
    .option('--max-grid-pixels <n>', 'imzML: refuse a grid (width x height) larger than this (corrupt coordinates)', String(2 ** 25))
    .option('--max-bins <n>', 'imzML: refuse a binning that spans more m/z bins than this (20 bytes of memory a bin)', String(2 ** 24))
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n  msinet segment image.npy --shape 70,70 --out out/\n  msinet segment tissue.imzML --out out/ --top-k 300 --no-sqrt\n',
    )
    .action(async (input: string, opts: Record<string, string | boolean | undefined>) => {
      const { runSegment } = await import('../segment-run.ts');
      await runSegment(input, opts);
    });
}
