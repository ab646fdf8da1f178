// Small statistics helpers for the benchmark: medians, spreads and growth fits. No assertions about times here.

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p25: number;
  p75: number;
  p95: number;
  /** (p75 - p25) / median: the relative interquartile spread. */
  spread: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(values: readonly number[], digits = 2): Summary {
  const s = [...values].sort((a, b) => a - b);
  const median = quantile(s, 0.5);
  const p25 = quantile(s, 0.25);
  const p75 = quantile(s, 0.75);
  return {
    n: s.length,
    median: round(median, digits),
    min: round(s[0] ?? Number.NaN, digits),
    max: round(s[s.length - 1] ?? Number.NaN, digits),
    p25: round(p25, digits),
    p75: round(p75, digits),
    p95: round(quantile(s, 0.95), digits),
    spread: median > 0 ? round((p75 - p25) / median, 3) : 0,
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface Growth {
  /** Sizes and median values, in size order. */
  points: { size: number; value: number }[];
  /** Per step: size ratio, value ratio and the local exponent log(valueRatio)/log(sizeRatio). */
  steps: { from: number; to: number; sizeRatio: number; valueRatio: number; exponent: number }[];
  /** Least-squares fit value = fixed + perItem * size. */
  fixed: number;
  perItem: number;
  r2: number;
  verdict: string;
}

/**
 * How a figure grows with size. A figure is called linear when value = fixed + perItem·size fits well (R² ≥ 0.97) and
 * the largest step's exponent is ≤ 1.2; "sub-linear" when fixed costs dominate; "super-linear" when the last step grows
 * faster than the size does.
 */
export function growth(points: { size: number; value: number }[]): Growth {
  const pts = [...points].sort((a, b) => a.size - b.size);
  const steps = [];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const sizeRatio = b.size / a.size;
    const valueRatio = b.value / a.value;
    steps.push({
      from: a.size,
      to: b.size,
      sizeRatio: round(sizeRatio),
      valueRatio: round(valueRatio),
      exponent: round(Math.log(valueRatio) / Math.log(sizeRatio)),
    });
  }
  const n = pts.length;
  const mx = pts.reduce((s, p) => s + p.size, 0) / n;
  const my = pts.reduce((s, p) => s + p.value, 0) / n;
  const sxx = pts.reduce((s, p) => s + (p.size - mx) ** 2, 0);
  const sxy = pts.reduce((s, p) => s + (p.size - mx) * (p.value - my), 0);
  const perItem = sxx > 0 ? sxy / sxx : 0;
  const fixed = my - perItem * mx;
  const ssTot = pts.reduce((s, p) => s + (p.value - my) ** 2, 0);
  const ssRes = pts.reduce((s, p) => s + (p.value - (fixed + perItem * p.size)) ** 2, 0);
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1;
  const last = steps[steps.length - 1];
  let verdict: string;
  if (!last) verdict = 'one size only';
  else if (last.exponent > 1.2) verdict = `super-linear (last step ×${last.sizeRatio} size → ×${last.valueRatio} time)`;
  else if (r2 >= 0.97) verdict = `linear: ≈ ${fmtNum(fixed)} + ${fmtNum(perItem, 4)} per item (R² ${r2.toFixed(3)})`;
  else if (last.exponent < 0.8) verdict = `sub-linear (fixed cost dominates: last step ×${last.sizeRatio} size → ×${last.valueRatio} time)`;
  else verdict = `roughly linear (last step exponent ${last.exponent}, R² ${r2.toFixed(3)})`;
  return { points: pts, steps, fixed: round(fixed, 3), perItem: round(perItem, 5), r2: round(r2, 4), verdict };
}

export function fmtNum(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(digits);
}

export function fmtMs(s: Summary): string {
  if (s.n === 0) return 'not run';
  if (s.n === 1) return `${fmtNum(s.median)} ms (1 run)`;
  return `${fmtNum(s.median)} ms (${fmtNum(s.min)}–${fmtNum(s.max)})`;
}

export function fmtRatio(s: Summary): string {
  if (s.n === 0) return 'not run';
  const f = (x: number) => x.toFixed(x < 0.01 ? 4 : 2);
  if (s.n === 1) return `${f(s.median)}× (1 pair)`;
  return `${f(s.median)}× (${f(s.min)}–${f(s.max)})`;
}

export function fmtBytes(b: number): string {
  if (Math.abs(b) >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  if (Math.abs(b) >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}
