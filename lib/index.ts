// The package root for every platform (browsers included): segment() and the readers that
// take bytes or Blobs. Nothing here imports a Node built-in; file paths and Dawn are behind
// the "node" export condition (lib/node.ts), so a browser bundler never sees them.
export { segment, renumber } from '../model/segment.ts';
export type { SegmentInput, SegmentOptions, SegmentReport, SegmentResult } from '../model/segment.ts';
export { adjustedRandIndex, normalizedMutualInfo, silhouetteScore } from '../model/metrics.ts';
export { createEngine, describeAdapter, NoAdapterError } from '../engine/index.ts';
export type { CreateEngineOptions, Runtime, AdapterReport } from '../engine/index.ts';

// imzML from Blobs (a browser's File objects) or bytes, and its preprocessing to features.
export * from '../io/imzml/index.ts';
export { preprocessImzml } from '../io/preprocess.ts';
export type { FeatureMatrix, PreprocessOptions, Normalization } from '../io/preprocess.ts';
export { featureGrid } from '../io/feature-grid.ts';
export type { GridFeatures } from '../io/feature-grid.ts';
// .npy from bytes.
export { parseNpy, encodeNpy, npyToFloat32, npyToInt32, NpyError } from '../io/npy.ts';
export type { NpyArray, NpyDtype } from '../io/npy.ts';
export { npyFeatureMatrix } from '../io/npy-features.ts';
export type { NpyFeatures } from '../io/npy-features.ts';
// Outputs as bytes: label PNG, CSV; the simulator behind the ImzmlFile interface.
export { encodePng, renderLabels, renderGray, labelPalette } from '../io/png.ts';
export { toCsv } from '../io/csv.ts';
export { simulateMsi } from '../io/simulator.ts';
export type { SimulateOptions, SimulatedMsi } from '../io/simulator.ts';
export { simulatedImzml } from '../io/simulated-file.ts';
// Colocalization of ion images (model/coloc): coloc() and the query of the most colocalized images.
export { coloc, queryColoc, checkColocInput } from '../model/coloc/coloc.ts';
export type { ColocResult, ColocMethod, ColocAffinity } from '../model/coloc/coloc.ts';
export { simulateIonStack } from '../io/simulator.ts';
export type { IonImages } from '../model/coloc/prepare.ts';
// Its results as the CLI's files, in bytes (clusters.npy, clusters.csv, embeddings.npy, montage.png).
export { colocFiles, clustersCsv, imagesOfColumns, resolveQuery } from '../io/coloc-results.ts';
export { renderMontage } from '../io/montage.ts';
