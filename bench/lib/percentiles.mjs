// Latency samples and summary statistics. Samples are kept exactly (a growable Float64Array)
// and sorted once at the end: for a few million samples that is cheaper and simpler than an
// HdrHistogram, and exact.

export class Samples {
  constructor(initial = 1 << 16) {
    this.buf = new Float64Array(initial);
    this.n = 0;
  }
  add(v) {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  /** { count, min, p50, p90, p99, p999, max, mean } in the unit the samples were added in. */
  summary() {
    const n = this.n;
    if (n === 0) return { count: 0, min: null, p50: null, p90: null, p99: null, p999: null, max: null, mean: null };
    const a = this.buf.subarray(0, n).slice().sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i];
    const q = (p) => a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
    return { count: n, min: a[0], p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: a[n - 1], mean: sum / n };
  }
}

/** Median of numbers (nulls ignored), with min and max: the spread over repeated runs. */
export function spread(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}
