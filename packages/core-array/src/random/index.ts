export { Rng, rng, type SeedLike, toRng } from './rng.js';
