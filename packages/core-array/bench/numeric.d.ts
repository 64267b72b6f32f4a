// numeric 1.2 ships no types; the benchmark uses only numeric.dot.
declare module 'numeric' {
  const numeric: { dot(a: number[][], b: number[][]): number[][] };
  export default numeric;
}
