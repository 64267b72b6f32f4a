/**
 * A stateless 32-bit hash of (seed, index), so separate workers that share a seed agree on the
 * bucket and sign of every row without exchanging state (MurmurHash3's fmix32 finalizer applied
 * to the seed-mixed index; Appleby 2011).
 */
export function hash32(seed: number, index: number): number {
  let h = Math.imul(index ^ Math.imul(seed, 0x9e3779b1), 0x85ebca6b) ^ (index >>> 16);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from a number or string seed (FNV-1a over the characters). */
export function seed32(seed: number | string): number {
  if (typeof seed === 'number') return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
