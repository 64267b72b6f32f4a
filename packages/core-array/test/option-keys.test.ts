import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidArgumentError, checkOptions, optionKeys } from '../src/index.js';

interface Opts {
  /** a */
  rtol?: number;
  atol?: number;
  signal?: AbortSignal;
}

describe('optionKeys', () => {
  it('returns the keys as a readonly tuple, usable by checkOptions', () => {
    const keys = optionKeys<Opts>()('rtol', 'atol', 'signal');
    expectTypeOf(keys).toEqualTypeOf<readonly ['rtol', 'atol', 'signal']>();
    expect(keys).toEqual(['rtol', 'atol', 'signal']);
    expect(() => checkOptions('f', { rtol: 1 }, keys)).not.toThrow();
    expect(() => checkOptions('f', { rtoll: 1 }, keys)).toThrow(InvalidArgumentError);
  });

  it('accepts the keys in any order', () => {
    expect(optionKeys<Opts>()('signal', 'rtol', 'atol')).toEqual(['signal', 'rtol', 'atol']);
  });

  it('accepts an empty list for an options type with no keys', () => {
    expect(optionKeys<Record<never, never>>()()).toEqual([]);
  });

  it('rejects at compile time a key the type lacks and a key of the type left out', () => {
    // @ts-expect-error 'maxiter' is not a key of Opts
    optionKeys<Opts>()('rtol', 'atol', 'signal', 'maxiter');
    // @ts-expect-error 'signal' is missing from the list
    optionKeys<Opts>()('rtol', 'atol');
    // @ts-expect-error every key is missing
    optionKeys<Opts>()();
  });
});
