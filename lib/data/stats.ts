/**
 * Statistics for drift checks, implemented here (no dependency): the
 * log-gamma function, the regularized incomplete gamma functions and the
 * chi-square survival function, the Kolmogorov distribution, the two-sample
 * Kolmogorov–Smirnov test, the chi-square test of homogeneity and the
 * population stability index (PSI).
 *
 * @module
 */

const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/**
 * Natural log of the gamma function for x > 0 (Lanczos, g = 7; ~1e-15 relative).
 *
 * @example
 * ```ts
 * import { lnGamma } from "./stats.ts";
 * Math.exp(lnGamma(5)); // ≈ 24
 * ```
 */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 10000;

function gammaSeries(a: number, x: number): number {
  let sum = 1 / a, term = sum;
  for (let n = 1; n < MAX_ITER; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

function gammaContinuedFraction(a: number, x: number): number {
  // Modified Lentz evaluation of the continued fraction for Q(a, x).
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/**
 * Regularized lower incomplete gamma P(a, x) for a > 0, x ≥ 0.
 *
 * @example
 * ```ts
 * import { regularizedGammaP } from "./stats.ts";
 * regularizedGammaP(1, 1); // ≈ 1 - e^-1 ≈ 0.632
 * ```
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the tail.
 *
 * @example
 * ```ts
 * import { regularizedGammaQ } from "./stats.ts";
 * regularizedGammaQ(1, 1); // ≈ e^-1 ≈ 0.368
 * ```
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/**
 * Survival function of the chi-square distribution: P(X ≥ x) with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * import { chiSquareSurvival } from "./stats.ts";
 * chiSquareSurvival(3.841458820694124, 1); // ≈ 0.05
 * ```
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (!(x > 0)) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * Survival function of the Kolmogorov distribution (the limit of √n·Dₙ):
 * Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²).
 *
 * @example
 * ```ts
 * import { kolmogorovSurvival } from "./stats.ts";
 * kolmogorovSurvival(1.3580986393225505); // ≈ 0.05
 * ```
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    // The alternating series converges slowly here; use the theta-function form of the CDF.
    const y = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let cdf = 0;
    for (let k = 1; k < 100; k += 2) {
      const term = Math.exp(k * k * y);
      cdf += term;
      if (term < 1e-17 * cdf) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * cdf));
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Result of a two-sample test. */
export interface TestResult {
  /** The test statistic (KS: D; chi-square: X²). */
  statistic: number;
  /** Its p-value. */
  pValue: number;
}

/**
 * Two-sample Kolmogorov–Smirnov test (two-sided). D is exact (ties handled);
 * the p-value is asymptotic with Stephens' small-sample correction,
 * Q((√nₑ + 0.12 + 0.11/√nₑ)·D) with nₑ = nm/(n+m). Empty samples give NaN.
 *
 * @example
 * ```ts
 * import { ksTwoSample } from "./stats.ts";
 * ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6]).statistic; // 0.5
 * ```
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const n = a.length, m = b.length;
  if (n === 0 || m === 0) return { statistic: NaN, pValue: NaN };
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    const v = x[i] <= y[j] ? x[i] : y[j];
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { statistic: d, pValue: kolmogorovSurvival((en + 0.12 + 0.11 / en) * d) };
}

/** Result of {@linkcode chiSquareTest}. */
export interface ChiSquareResult extends TestResult {
  /** Degrees of freedom (categories seen − 1). */
  df: number;
}

/**
 * Chi-square test of homogeneity for two samples' counts over the same
 * categories (a 2×k contingency table, no continuity correction; categories
 * empty in both samples are ignored).
 *
 * @example
 * ```ts
 * import { chiSquareTest } from "./stats.ts";
 * chiSquareTest([50, 50], [50, 50]).pValue; // 1
 * ```
 */
export function chiSquareTest(a: ArrayLike<number>, b: ArrayLike<number>): ChiSquareResult {
  if (a.length !== b.length) throw new RangeError("chiSquareTest: count arrays differ in length");
  let na = 0, nb = 0, k = 0;
  for (let i = 0; i < a.length; i++) {
    na += a[i];
    nb += b[i];
    if (a[i] + b[i] > 0) k++;
  }
  if (na === 0 || nb === 0 || k < 2) return { statistic: 0, pValue: 1, df: Math.max(0, k - 1) };
  const total = na + nb;
  let stat = 0;
  for (let i = 0; i < a.length; i++) {
    const col = a[i] + b[i];
    if (col === 0) continue;
    const ea = (col * na) / total, eb = (col * nb) / total;
    stat += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
  }
  return { statistic: stat, pValue: chiSquareSurvival(stat, k - 1), df: k - 1 };
}

/**
 * Population stability index between an expected (train) and an actual
 * (test) histogram over the same bins: Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ) on shares,
 * each share floored at `epsilon` so empty bins stay finite.
 *
 * @example
 * ```ts
 * import { psi } from "./stats.ts";
 * psi([10, 10], [10, 10]); // 0
 * ```
 */
export function psi(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  epsilon = 1e-4,
): number {
  if (expected.length !== actual.length) throw new RangeError("psi: histograms differ in length");
  let ne = 0, na = 0;
  for (let i = 0; i < expected.length; i++) {
    ne += expected[i];
    na += actual[i];
  }
  if (ne === 0 || na === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] / ne, epsilon);
    const a = Math.max(actual[i] / na, epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
