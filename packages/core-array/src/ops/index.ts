export * from './elementwise.js';
export * from './reductions.js';
export * from './join.js';
export * from './matrix.js';
