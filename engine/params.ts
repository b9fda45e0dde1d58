// Packs a kernel's uniform struct. Every field is 4 bytes (u32, i32 or f32), in order;
// the result is padded to 16 bytes as uniform buffers require.
export type Field = number | { f32: number } | { i32: number };

export function params(...fields: Field[]): Uint32Array {
  const n = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const buf = new ArrayBuffer(n * 4);
  const view = new DataView(buf);
  fields.forEach((f, i) => {
    if (typeof f === 'number') {
      if (!Number.isInteger(f) || f < 0 || f > 0xffffffff) throw new Error(`u32 param ${i} out of range: ${f}`);
      view.setUint32(i * 4, f, true);
    } else if ('f32' in f) view.setFloat32(i * 4, f.f32, true);
    else view.setInt32(i * 4, f.i32, true);
  });
  return new Uint32Array(buf);
}

export const f32 = (v: number) => ({ f32: v });
export const i32 = (v: number) => ({ i32: v });
