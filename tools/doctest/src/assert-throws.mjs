// Loaded with `node --import` before every doctest block: a failed console.assert throws, so the
// block's process exits non-zero, as a failed test would.
import { format } from 'node:util';

console.assert = (condition, ...data) => {
  if (condition) return;
  const message = data.length > 0 ? format(...data) : 'console.assert failed';
  throw new Error(`Assertion failed: ${message}`);
};
