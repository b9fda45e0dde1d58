// Command-line helpers shared by the benchmark scripts (no dependencies: `--name value` pairs).

/** The value after `--name`, or the fallback. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** "0-4,7" -> [0, 1, 2, 3, 4, 7]. */
export function range(s: string): number[] {
  return s.split(',').flatMap((p) => {
    const m = /^(\d+)-(\d+)$/.exec(p);
    return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : [Number(p)];
  });
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
