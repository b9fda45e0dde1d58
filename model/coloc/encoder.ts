// The image encoder of the colocalization method (METHOD.md section 2), trained from scratch:
//   per stage s: conv3x3 (C_{s-1} -> C_s) + BatchNorm + ReLU, then 2x2 average pooling except
//   after the last stage; global average pool -> the embedding h [B, C_last] (128 by default);
//   projection MLP (SimCLR's g): Linear(C_last, C_last) + ReLU + Linear(C_last, proj) -> z.
// Works on a batch of single-channel images [B*S*S, 1] with the batched ops of
// engine/ops/batched_image.ts. Initialisation as PyTorch's defaults, from a seeded Random.
import {
  avgPool2,
  BatchNorm,
  conv3x3Batched,
  globalAvgPool,
  kaimingUniformParameter,
  linear,
  Module,
  relu,
  standardizeRows,
  type Runtime,
  type Tensor,
} from '../../engine/index.ts';
import { Random } from '../../engine/random.ts';

export interface EncoderConfig {
  /** Output channels of the conv stages; the last is the embedding size. */
  channels: readonly number[];
  /** Output size of the projection head. */
  projection: number;
  /** Side of the (square) input images. */
  side: number;
  /**
   * Standardise every input image (zero mean, unit variance) first, so that what the encoder
   * can tell images apart by is their spatial pattern, not their abundance.
   */
  standardize?: boolean;
  seed: number;
}

export const DEFAULT_ENCODER: Omit<EncoderConfig, 'seed'> = { channels: [16, 32, 64, 128], projection: 64, side: 32 };

class ConvStage extends Module {
  readonly w: Tensor;
  readonly b: Tensor;
  readonly bn: BatchNorm;
  constructor(rt: Runtime, cin: number, cout: number, random: Random) {
    super();
    this.w = this.registerParameter('w', kaimingUniformParameter(rt, [9 * cin, cout], 9 * cin, random));
    this.b = this.registerParameter('b', kaimingUniformParameter(rt, [cout], 9 * cin, random));
    this.bn = this.registerModule('bn', new BatchNorm(rt, cout));
  }
}

class Dense extends Module {
  readonly w: Tensor;
  readonly b: Tensor;
  constructor(rt: Runtime, cin: number, cout: number, random: Random) {
    super();
    this.w = this.registerParameter('w', kaimingUniformParameter(rt, [cin, cout], cin, random));
    this.b = this.registerParameter('b', kaimingUniformParameter(rt, [cout], cin, random));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.w, this.b);
  }
}

export class ColocEncoder extends Module {
  private readonly stages: ConvStage[] = [];
  readonly embedding: number;

  constructor(rt: Runtime, readonly config: EncoderConfig) {
    super();
    const { channels, side } = config;
    if (channels.length < 1) throw new Error('encoder: at least one conv stage');
    const minSide = 2 ** (channels.length - 1);
    if (!Number.isInteger(side) || side < minSide) throw new Error(`encoder: side ${side} is too small for ${channels.length} stages (>= ${minSide})`);
    const random = new Random(config.seed);
    channels.forEach((c, i) => this.stages.push(this.registerModule(`stage${i}`, new ConvStage(rt, i === 0 ? 1 : channels[i - 1]!, c, random))));
    this.embedding = channels[channels.length - 1]!;
  }

  /** x [B*S*S, 1] -> h [B, C_last]. */
  forward(x: Tensor, batch: number): Tensor {
    let side = this.config.side;
    let h = this.config.standardize === false ? x : standardizeRows(x, batch);
    this.stages.forEach((s, i) => {
      const dims = { batch, height: side, width: side };
      h = relu(s.bn.forward(conv3x3Batched(h, s.w, s.b, dims)));
      if (i < this.stages.length - 1) {
        h = avgPool2(h, dims);
        side = Math.floor(side / 2);
      }
    });
    return globalAvgPool(h, batch);
  }
}

/** SimCLR's projection head g(h) = W2 relu(W1 h + b1) + b2. */
export class ProjectionHead extends Module {
  private readonly l1: Dense;
  private readonly l2: Dense;
  constructor(rt: Runtime, cin: number, cout: number, seed: number) {
    super();
    const random = new Random(seed);
    this.l1 = this.registerModule('l1', new Dense(rt, cin, cin, random));
    this.l2 = this.registerModule('l2', new Dense(rt, cin, cout, random));
  }
  forward(h: Tensor): Tensor {
    return this.l2.forward(relu(this.l1.forward(h)));
  }
}

/** A linear classifier on the embedding (self-labelling). */
export class LinearHead extends Module {
  readonly dense: Dense;
  constructor(rt: Runtime, cin: number, classes: number, seed: number) {
    super();
    this.dense = this.registerModule('dense', new Dense(rt, cin, classes, new Random(seed)));
  }
  forward(h: Tensor): Tensor {
    return this.dense.forward(h);
  }
}
