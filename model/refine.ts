// MSInet's refinement target (METHOD.md section 1, step 6): inside each superpixel every
// pixel takes the label most frequent there (ties: the smallest label). The superpixels are
// fixed for a whole training run, so their index is uploaded once here.
import { segmentIndex, segmentMajority, type Runtime, type SegmentIndex, type Tensor } from '../engine/index.ts';
import type { Segmentation } from './superpixels/connectivity.ts';

export class SuperpixelRefiner {
  private readonly index: SegmentIndex;

  constructor(rt: Runtime, superpixels: Segmentation) {
    this.index = segmentIndex(rt, superpixels.labels, superpixels.count);
  }

  /** labels: argmax labels i32 [H*W] in 0..numClasses-1; returns the refined target i32 [H*W]. */
  refine(labels: Tensor, numClasses: number, out?: Tensor): Tensor {
    return segmentMajority(labels, this.index, numClasses, out);
  }

  dispose(): void {
    this.index.dispose();
  }
}
