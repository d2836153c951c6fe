import { unprocessable } from '../core/errors.ts';

/**
 * Ridge least squares: the coefficients b minimising |X b - y|^2 + lambda |b|^2 (the intercept column,
 * if any, is penalised too but lambda is small). Solved by the normal equations and a Cholesky
 * factorisation; fine for the tens of features a load or price model has. X is row-major, n x p.
 */
export function leastSquares(x: Float64Array, y: Float64Array, n: number, p: number, lambda = 1e-6): Float64Array {
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let r = 0; r < n; r++) {
    const row = r * p;
    const yr = y[r];
    for (let i = 0; i < p; i++) {
      const xi = x[row + i];
      if (xi === 0) continue;
      b[i] += xi * yr;
      const ai = i * p;
      for (let j = i; j < p; j++) a[ai + j] += xi * x[row + j];
    }
  }
  let scale = 0;
  for (let i = 0; i < p; i++) scale = Math.max(scale, a[i * p + i]);
  for (let i = 0; i < p; i++) {
    a[i * p + i] += lambda * Math.max(scale, 1);
    for (let j = 0; j < i; j++) a[i * p + j] = a[j * p + i];
  }
  return solveCholesky(a, b, p);
}

/** Solves A x = b for a symmetric positive definite A (row-major p x p). */
export function solveCholesky(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) {
        if (!(s > 0)) throw unprocessable('the regression matrix is singular: too few rows or a constant feature');
        l[i * p + i] = Math.sqrt(s);
      } else l[i * p + j] = s / l[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const out = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * out[k];
    out[i] = s / l[i * p + i];
  }
  return out;
}
