export * from './elementwise.js';
export * from './reductions.js';
