import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  array,
  checkBoolean,
  checkChoice,
  checkInteger,
  checkNumber,
  checkSymmetric,
  relativeAsymmetry,
} from '../src/index.js';

describe('shared argument checks', () => {
  it('checkNumber refuses NaN, Infinity, strings and values out of range, naming fn and arg', () => {
    expect(checkNumber('f', 'alpha', 2)).toBe(2);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '2', null, undefined, {}])
      expect(() => checkNumber('f', 'alpha', bad)).toThrow(InvalidArgumentError);
    expect(() => checkNumber('f', 'lr', 0, { min: 0, minExclusive: true })).toThrow(
      /f: argument 'lr' is 0; expected a finite number > 0/,
    );
    expect(checkNumber('f', 'lr', 1, { min: 0, max: 1 })).toBe(1);
    expect(() => checkNumber('f', 'b', 1, { max: 1, maxExclusive: true })).toThrow(/< 1/);
    expect(checkNumber('f', 'tol', Number.POSITIVE_INFINITY, { infinite: true })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(() => checkNumber('f', 'tol', Number.NaN, { infinite: true })).toThrow(InvalidArgumentError);
    expect(() => checkInteger('f', 'k', 1.5)).toThrow(/an integer/);
    expect(() => checkInteger('f', 'k', -1, { min: 0 })).toThrow(/an integer >= 0/);
  });
  it('checkBoolean and checkChoice refuse look-alikes', () => {
    expect(checkBoolean('f', 'vectors', false)).toBe(false);
    expect(() => checkBoolean('f', 'vectors', 'yes')).toThrow(/'vectors' is "yes"; expected true or false/);
    expect(checkChoice('f', 'mode', 'a', ['a', 'b'])).toBe('a');
    expect(() => checkChoice('f', 'mode', 'c', ['a', 'b'])).toThrow(/one of "a", "b"/);
  });
  it('checkSymmetric applies sqrt(eps) of the dtype, through views', () => {
    const s = array([
      [2, 1],
      [1, 3],
    ]);
    expect(relativeAsymmetry(s)).toBe(0);
    checkSymmetric('f', 'a', s);
    const ns = array([
      [2, 1],
      [0, 3],
    ]);
    expect(relativeAsymmetry(ns.T)).toBeCloseTo(1 / 3);
    expect(() => checkSymmetric('cholesky', 'a', ns)).toThrow(
      /cholesky: argument 'a'.*relative asymmetry 3.33e-1/,
    );
    const near = array([
      [1, 1 + 1e-6],
      [1, 1],
    ]);
    expect(() => checkSymmetric('f', 'a', near)).toThrow(InvalidArgumentError);
    checkSymmetric('f', 'a', near.astype('float32'));
    expect(() => checkSymmetric('f', 'a', array([[Number.NaN]]))).toThrow(/NaN/);
  });
});
