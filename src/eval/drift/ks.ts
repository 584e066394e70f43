/**
 * The two-sided p-value of the two-sample Kolmogorov-Smirnov statistic, as
 * scipy.stats.ks_2samp(method='auto') defines it:
 * - up to 10,000 rows in each sample, the exact distribution: the probability that a random
 *   lattice path from (0, 0) to (n1, n2) touches the lines |x/n1 − y/n2| = D;
 * - above, the one-sample distribution of D at n = round(n1·n2/(n1 + n2)): kstwo.sf(D, n)
 *   (Simard and L'Ecuyer's choice of methods: Smirnov's exact one-sided sum in the tail,
 *   Pelz-Good's expansion or Durbin's matrix in the body).
 * One deliberate difference: when the larger sample has more than 10,000 rows but n is 140 or
 * less (one sample is tiny), the exact distribution is computed (cheap there) where scipy's auto
 * mode approximates; scipy's method='exact' gives the same value.
 */
export function ksPValue(d: number, n1: number, n2: number): number {
  if (!(d > 0)) return 1;
  if (d >= 1) return Math.max(n1, n2) <= EXACT_UP_TO ? exact(1, n1, n2) : 0;
  const en = roundHalfEven((n1 * n2) / (n1 + n2));
  if (Math.max(n1, n2) <= EXACT_UP_TO || en <= 140) return exact(d, n1, n2);
  return kstwoSf(d, en);
}

/** scipy's MAX_AUTO_N */
const EXACT_UP_TO = 10_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const r = x - f;
  return r > 0.5 || (r === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** P(D ≥ d) exactly, with d first snapped to the lattice (h / lcm), as scipy does. */
function exact(d: number, n1: number, n2: number): number {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  const p = n1 === n2 ? outsideSquare(n1, h) : outsideLattice(n1, n2, h * g);
  return Math.min(1, Math.max(0, p));
}

/**
 * Equal sizes: 2·Σ_k (−1)^(k+1) C(2n, n − k·h) / C(2n, n), nested as a Horner-like product so
 * that nothing cancels (each factor is a ratio of h terms).
 */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let a = 1;
    for (let j = 0; j < h; j++) a = (a * (n - k * h - j)) / (n + k * h + j + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * Unequal sizes: the probability mass of a uniformly random path from (0, 0) to (m, n) — from
 * (x, y) it steps right with probability (m − x)/(m − x + n − y) — that reaches a point with
 * |n·x − m·y| ≥ bound, summed where it first does. A sum of positive terms, so small p-values
 * keep their precision. O(m × band).
 */
function outsideLattice(m: number, n: number, bound: number): number {
  // column x holds y with n·x − bound < m·y < n·x + bound (inside); one array, updated in place
  const mass = new Float64Array(n + 1);
  const inLow = (x: number) => Math.max(0, Math.floor((n * x - bound) / m) + 1);
  const inHigh = (x: number) => Math.min(n, Math.ceil((n * x + bound) / m) - 1);
  let outside = 0;
  // column 0: from (0, 0) upwards
  mass[0] = 1;
  for (let y = 1; y <= n; y++) {
    const incoming = (mass[y - 1]! * (n - y + 1)) / (m + n - y + 1);
    if (m * y >= bound) {
      outside += incoming;
      break;
    }
    mass[y] = incoming;
  }
  for (let x = 1; x <= m; x++) {
    const lo = inLow(x - 1);
    const leftHigh = inHigh(x - 1);
    const hi = Math.min(n, inHigh(x) + 1);
    let below = 0; // the new value at (x, y − 1)
    for (let y = lo; y <= hi; y++) {
      const fromLeft = y <= leftHigh ? (mass[y]! * (m - x + 1)) / (m - x + 1 + n - y) : 0;
      const fromBelow = y > lo ? (below * (n - y + 1)) / (m - x + n - y + 1) : 0;
      const incoming = fromLeft + fromBelow;
      const t = n * x - m * y;
      if (t >= bound || -t >= bound) {
        outside += incoming;
        below = 0;
      } else below = incoming;
      mass[y] = below;
    }
  }
  return outside;
}

/** scipy.stats.kstwo.sf(x, n): the one-sample two-sided distribution, for n > 140. */
function kstwoSf(x: number, n: number): number {
  const t = n * x;
  if (t <= 1) {
    // Ruben and Gambino: P(D ≤ x) = n!/n^n · (2t − 1)^n for 1/(2n) ≤ x ≤ 1/n
    if (t <= 0.5) return 1;
    return 1 - Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
  }
  if (t >= n - 1) return Math.min(1, 2 * Math.pow(1 - x, n));
  if (x >= 0.5) return Math.min(1, 2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return Math.min(1, 2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return Math.min(1, Math.max(0, 1 - cdf));
}

/** ln(n!/n^n) by Stirling's series, with n·ln n taken out first (no cancellation). */
function logFactorialOverPower(n: number): number {
  const r = 1 / n;
  const r2 = r * r;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680))));
}

/**
 * ln Γ(k + 1) for an integer k: exact products below 30, Stirling's series above (error far
 * below one unit in the last place of the result's magnitude).
 */
function logFactorial(k: number): number {
  if (k < 30) {
    let p = 1;
    for (let i = 2; i <= k; i++) p *= i;
    return Math.log(p);
  }
  return k * Math.log(k) + logFactorialOverPower(k);
}

/**
 * Smirnov's one-sided upper tail P(D⁺ ≥ x) for n rows (Birnbaum and Tingey's sum, all terms
 * positive): x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v), each term taken
 * through its logarithm.
 */
function smirnovSf(n: number, x: number): number {
  const last = Math.floor(n * (1 - x));
  const lnN = logFactorial(n);
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    const a = x + v / n;
    if (a >= 1) continue;
    const lnTerm = lnN - logFactorial(v) - logFactorial(n - v) + (v - 1) * Math.log(a) + (n - v) * Math.log1p(-a);
    if (lnTerm > -745) sum += Math.exp(lnTerm);
  }
  return x * sum;
}

/**
 * Pelz and Good's expansion of P(D_n ≤ x): Kolmogorov's limit K0(z) with the corrections K1, K2,
 * K3 in powers of 1/√n, z = x√n, written with Jacobi theta functions so that it converges for
 * small z.
 */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const PI2 = Math.PI * Math.PI;
  const PI4 = PI2 * PI2;
  const PI6 = PI4 * PI2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  const q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z4 * z4;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + c[i]!;
  }
  const s2pi = Math.sqrt(2 * Math.PI);
  const div = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * s2pi) / div[i]!;
  // the sums over all integers k for K2 and K3
  const q2 = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const s3z = Math.sqrt(3) * z;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qk = Math.pow(q2, k2);
    k2extra += k2 * qk;
    const kpi = Math.PI * k;
    k3extra += (s3z + kpi) * (s3z - kpi) * k2 * qk;
  }
  K[2] = K[2]! + (k2extra * PI2 * s2pi) / (-36 * z3);
  K[3] = K[3]! + (k3extra * PI2 * s2pi) / (216 * z6);
  let cdf = 0;
  for (let i = 0; i < 4; i++) cdf += K[i]! / Math.pow(n, i / 2);
  return cdf;
}

/**
 * P(D_n ≤ d) by Durbin's matrix method as Marsaglia, Tsang and Wang compute it: the (k, k) entry
 * of H^n · n!/n^n for a (2k−1)-square matrix H, k = ⌈n·d⌉, with scaling to stay in range. Used
 * where n·d^1.5 is small, so k (and the matrix) is small.
 */
function durbinCdf(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  v[m - 1] = (1 + Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m)) * fac;
  let H = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;
  const mul = (A: Float64Array, B: Float64Array) => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l]!;
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] = C[i * m + j]! + a * B[l * m + j]!;
      }
    }
    return C;
  };
  let P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  const E = 2 ** 128;
  let expnt = 0;
  let hExpnt = 0;
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) {
      P = mul(P, H);
      expnt += hExpnt;
    }
    H = mul(H, H);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E) {
      for (let i = 0; i < H.length; i++) H[i] = H[i]! / E;
      hExpnt += 128;
    }
  }
  let p = P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 2 ** -128) {
      p *= E;
      expnt -= 128;
    }
  }
  // p · 2^expnt, in steps that cannot overflow on the way
  for (; expnt > 0; expnt -= Math.min(expnt, 1000)) p *= 2 ** Math.min(expnt, 1000);
  for (; expnt < 0; expnt += Math.min(-expnt, 1000)) p /= 2 ** Math.min(-expnt, 1000);
  return p;
}
