// Plain-TypeScript (f64) references of the 3x3 convolution (stride 1, zero padding 1) and its
// gradients, shared by the implicit-GEMM and Winograd tests.
// Weight layout [9*Cin, Cout], row (ky*3 + kx)*Cin + ci.
function neighbour(h: number, w: number, p: number, tap: number, sign: number): number {
  const y = Math.floor(p / w) + sign * (Math.floor(tap / 3) - 1);
  const x = (p % w) + sign * ((tap % 3) - 1);
  return y < 0 || y >= h || x < 0 || x >= w ? -1 : y * w + x;
}

export function refForward(x: Float32Array, wt: Float32Array, b: Float32Array | null, h: number, w: number, cin: number, cout: number): Float64Array {
  const out = new Float64Array(h * w * cout);
  for (let p = 0; p < h * w; p++) {
    const acc = new Float64Array(cout);
    if (b) for (let co = 0; co < cout; co++) acc[co] = b[co]!;
    for (let tap = 0; tap < 9; tap++) {
      const q = neighbour(h, w, p, tap, 1);
      if (q < 0) continue;
      for (let ci = 0; ci < cin; ci++) {
        const xv = x[q * cin + ci]!, row = (tap * cin + ci) * cout;
        for (let co = 0; co < cout; co++) acc[co]! += xv * wt[row + co]!;
      }
    }
    out.set(acc, p * cout);
  }
  return out;
}

export function refInputGrad(g: Float32Array, wt: Float32Array, h: number, w: number, cin: number, cout: number): Float64Array {
  const out = new Float64Array(h * w * cin);
  for (let p = 0; p < h * w; p++)
    for (let tap = 0; tap < 9; tap++) {
      const q = neighbour(h, w, p, tap, 1); // out[p] read x[q] through tap: x[q] gets g[p] w
      if (q < 0) continue;
      for (let ci = 0; ci < cin; ci++) {
        let s = 0;
        const row = (tap * cin + ci) * cout;
        for (let co = 0; co < cout; co++) s += g[p * cout + co]! * wt[row + co]!;
        out[q * cin + ci]! += s;
      }
    }
  return out;
}

export function refWeightGrad(x: Float32Array, g: Float32Array, h: number, w: number, cin: number, cout: number): Float64Array {
  const out = new Float64Array(9 * cin * cout);
  for (let p = 0; p < h * w; p++)
    for (let tap = 0; tap < 9; tap++) {
      const q = neighbour(h, w, p, tap, 1);
      if (q < 0) continue;
      for (let ci = 0; ci < cin; ci++) {
        const xv = x[q * cin + ci]!, row = (tap * cin + ci) * cout;
        for (let co = 0; co < cout; co++) out[row + co]! += xv * g[p * cout + co]!;
      }
    }
  return out;
}
