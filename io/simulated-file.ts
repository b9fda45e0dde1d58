// A simulated image behind the ImzmlFile interface, so preprocessing (and the browser app) can
// consume it without writing an imzML pair first. Spectra are generated on demand.
import type { ArrayRef, ImzmlFile, Spectrum, SpectrumInfo } from './imzml/types.ts';
import type { SimulatedMsi } from './simulator.ts';

export function simulatedImzml(sim: SimulatedMsi, name = 'simulated'): ImzmlFile {
  const { width: W, height: H } = sim;
  // No bytes behind these arrays: offsets and encoded lengths are placeholders.
  const ref: ArrayRef = { offset: 0, length: 0, encodedLength: 0, dtype: 'f64', compression: 'none' };
  let spectra: SpectrumInfo[] | null = null;
  return {
    mode: sim.mode,
    uuid: null,
    width: W,
    height: H,
    get spectra() {
      return (spectra ??= Array.from({ length: W * H }, (_, index) => ({ index, x: (index % W) + 1, y: Math.floor(index / W) + 1, mz: ref, intensity: ref })));
    },
    source: { name, size: 0, read: async () => new Uint8Array(0) },
    async readSpectrum(i: number): Promise<Spectrum> {
      if (!(Number.isInteger(i) && i >= 0 && i < W * H)) throw new RangeError(`spectrum index ${i} is out of range (0..${W * H - 1})`);
      const s = sim.spectrum(i % W, Math.floor(i / W));
      // Continuous spectra share the axis array; hand out a copy as the reader does.
      return sim.axis ? { mz: s.mz.slice(), intensity: s.intensity } : s;
    },
    mask: () => new Uint8Array(W * H).fill(1),
    async close() {},
  };
}
