export { fromNpy, toNpy } from './npy.js';
