// Strict parsing of numeric command-line values, shared by every command. JavaScript's Number()
// accepts "0x3", "0b11", " 7 ", "" (= 0) and "1e400" (= Infinity); a typo in an option must not
// turn into a different run, so only plain decimal notation is accepted here.
import { UserError } from './errors.ts';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Seeds are 32-bit: the generators hash `seed >>> 0`, so larger values would collide. */
export const MAX_SEED = 2 ** 32 - 1;

export interface IntegerRange {
  min?: number;
  max?: number;
}

/** A decimal integer in [min, max] (safe-integer range by default), or a UserError naming `--name`. */
export function parseInteger(name: string, v: unknown, { min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER }: IntegerRange = {}): number {
  const s = typeof v === 'string' ? v.trim() : '';
  const n = Number(s);
  const range =
    max !== Number.MAX_SAFE_INTEGER ? `an integer between ${min} and ${max}` : min !== -Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : 'an integer';
  if (!INTEGER.test(s) || !Number.isSafeInteger(n)) throw new UserError(`--${name} must be ${range}, got "${String(v)}"`);
  if (n < min || n > max) throw new UserError(`--${name} must be ${range}, got ${s}`);
  return n;
}

export interface NumberRange {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound (for "must be positive"). */
  above?: number;
  max?: number;
}

/** A finite decimal number (e.g. 0.01, 1e-3) within the bounds, or a UserError naming `--name`. */
export function parseNumber(name: string, v: unknown, { min, above, max }: NumberRange = {}): number {
  const s = typeof v === 'string' ? v.trim() : '';
  const n = Number(s);
  if (!DECIMAL.test(s) || !Number.isFinite(n)) throw new UserError(`--${name} must be a finite decimal number, got "${String(v)}"`);
  if (min !== undefined && n < min) throw new UserError(`--${name} must be >= ${min}, got ${s}`);
  if (above !== undefined && !(n > above)) throw new UserError(`--${name} must be > ${above}, got ${s}`);
  if (max !== undefined && n > max) throw new UserError(`--${name} must be <= ${max}, got ${s}`);
  return n;
}

/** A random seed: an integer in [0, 2^32), recorded exactly as used. */
export function parseSeed(v: unknown, name = 'seed'): number {
  return parseInteger(name, v, { min: 0, max: MAX_SEED });
}

/** One of a fixed set of words, or a UserError listing them. */
export function parseChoice<T extends string>(name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
  throw new UserError(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, got "${String(v)}"`);
}
