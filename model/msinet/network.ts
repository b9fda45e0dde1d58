// The MSInet network (METHOD.md section 1, step 5), channels-last:
//   [conv3x3 (Cin -> C) + BN + ReLU] + (layers - 1) x [conv3x3 (C -> C) + BN + ReLU]
//   -> Dropout2d(p) -> conv1x1 (C -> q) + BN  =>  response r [H*W, q]
// Initialisation as PyTorch's defaults (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and
// biases; BN gamma 1, beta 0), from a seeded RNG.
import { BatchNorm, type BatchNormOptions, conv2d, Dropout2d, kaimingUniformParameter, linear, Module, type Runtime, type Tensor } from '../../engine/index.ts';
import { Random } from '../../engine/random.ts';

export interface MsinetNetworkConfig {
  inChannels: number;
  /** Feature channels of the 3x3 layers (reference: 100). */
  channels: number;
  /** Number of conv3x3 + BN + ReLU blocks (reference: 6). */
  layers: number;
  /** Output channels q of the 1x1 head = the largest number of labels (reference: 100). */
  q: number;
  dropout: number;
  seed: number;
}

class ConvBlock extends Module {
  readonly w: Tensor;
  readonly b: Tensor;
  readonly bn: BatchNorm;
  constructor(rt: Runtime, cin: number, cout: number, random: Random) {
    super();
    const fanIn = 9 * cin;
    this.w = this.registerParameter('w', kaimingUniformParameter(rt, [9 * cin, cout], fanIn, random));
    this.b = this.registerParameter('b', kaimingUniformParameter(rt, [cout], fanIn, random));
    this.bn = this.registerModule('bn', new BatchNorm(rt, cout));
  }
  forward(x: Tensor, height: number, width: number, bnMask?: BatchNormOptions['mask']): Tensor {
    // BatchNorm and ReLU in one pass (bn.apply.relu).
    return this.bn.forward(conv2d(x, this.w, this.b, { height, width }), true, bnMask);
  }
}

export class MsinetNetwork extends Module {
  private readonly blocks: ConvBlock[] = [];
  private readonly drop: Dropout2d;
  readonly headW: Tensor;
  readonly headB: Tensor;
  private readonly headBn: BatchNorm;

  constructor(rt: Runtime, readonly config: MsinetNetworkConfig) {
    super();
    const { inChannels, channels, layers, q, dropout, seed } = config;
    if (layers < 1) throw new Error(`MSInet needs at least one conv layer, got ${layers}`);
    const random = new Random(seed);
    for (let i = 0; i < layers; i++)
      this.blocks.push(this.registerModule(`conv${i}`, new ConvBlock(rt, i === 0 ? inChannels : channels, channels, random)));
    // The dropout mask stream gets its own seed so changing the init does not change it.
    this.drop = this.registerModule('dropout', new Dropout2d(dropout, (seed * 2654435761 + 97) >>> 0));
    this.headW = this.registerParameter('head.w', kaimingUniformParameter(rt, [channels, q], channels, random));
    this.headB = this.registerParameter('head.b', kaimingUniformParameter(rt, [q], channels, random));
    this.headBn = this.registerModule('headBn', new BatchNorm(rt, q));
  }

  /** bnMask: the BatchNorm layers take their training statistics from these pixels only (sparse images). */
  forward(x: Tensor, height: number, width: number, bnMask?: BatchNormOptions['mask']): Tensor {
    let h = x;
    for (const block of this.blocks) h = block.forward(h, height, width, bnMask);
    h = this.drop.forward(h);
    return this.headBn.forward(linear(h, this.headW, this.headB), false, bnMask);
  }

}
