import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('coloc')
    .description('Cluster ion images by spatial distribution (colocalization): contrastive CNN embeddings + spectral clustering, with Pearson and cosine baselines')
    .argument('<input>', '.imzML, an (H, W, C) cube or (N, C) matrix .npy (one ion image per column), or an (n, H, W) stack .npy with --layout nhw')
    .requiredOption('-o, --out <dir>', 'output folder: clusters.npy, clusters.csv, embeddings.npy, montage.png, report.json')
    .option('--layout <l>', 'hwc (cube / matrix, images are columns) or nhw (a stack of images)', 'hwc')
    .option('--shape <H,W>', 'image size for an (N, C) .npy matrix')
    .option('--mz <file>', '.npy with the m/z of each image (imzML input has its own)')
    .option('--k <n>', 'number of clusters (default: chosen by the eigengap)')
    .option('--seed <n>', 'random seed (weights, augmentations, clustering)', '0')
    .option('--epochs <n>', 'SimCLR epochs')
    .option('--batch <n>', 'images per batch (two views each)')
    .option('--lr <x>', 'Adam learning rate (cosine annealing to 0)')
    .option('--temperature <t>', 'NT-Xent temperature')
    .option('--side <n>', 'images are resized to side x side for the network')
    .option('--neighbors <n>', 'neighbours of the kNN graph of the spectral clustering')
    .option('--affinity <a>', 'combined (embedding + filtered-image cosine) or embedding', 'combined')
    .option('--geometric', "add the reference's small geometric augmentations (rotation, resized crop, translation)")
    .option('--gamma <g>', 'augmentation: each view gets a response curve x^e, e log-uniform in [1/g, g] (1: none)')
    .option('--self-label-epochs <n>', 'self-labelling fine-tuning epochs (0: only the linear head)')
    .option('--confidence <p>', 'self-labelling: softmax probability above which a pseudo-label is used')
    .option('--clip <pct>', 'hot-spot clipping percentile per image', '99')
    .option('--method <m>', 'result written: contrastive, pearson (+ average linkage) or cosine (median-filtered + spectral)', 'contrastive')
    .option('--truth <file>', 'true group per image (.npy or text): adds ARI, NMI, purity for every method')
    .option('--query <mz|#index>', 'print the 10 images most colocalized with this ion')
    .option('--top-k <n>', 'imzML: number of m/z images kept', '200')
    .option('--bin-width <x>', 'imzML: m/z bin width for processed data', '0.01')
    .option('--normalize <how>', 'imzML: tic, rms or none', 'tic')
    .option('-q, --quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n  msinet simulate --stack --out stack/ && msinet coloc stack/images.npy --layout nhw --mz stack/mz.npy --truth stack/groups.npy --out coloc/\n  msinet coloc tissue.imzML --out coloc/ --query 798.54\n',
    )
    .action(async (input: string, opts: Record<string, string | boolean | undefined>) => {
      const { runColoc } = await import('../coloc-run.ts');
      await runColoc(input, opts);
    });
}
