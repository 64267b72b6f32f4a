export { expm } from './expm.js';
export { logEuclideanDistance } from './log-euclidean.js';
export { NEWTON_SCHULZ_PRESETS, type NewtonSchulzPreset, newtonSchulz } from './newton-schulz.js';
export { type InverseRootResult, inverseRoot, spdPower } from './roots.js';
export {
  affineInvariantDistance,
  buresWassersteinDistance,
  funm,
  polar,
  spdBarycenter,
  spdGeodesic,
} from './spd.js';
export { logm, sqrtm } from './schur-functions.js';
