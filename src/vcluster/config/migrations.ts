import { parse as parseYaml } from 'yaml';
import data from './generated/vcluster-config-data.json';

// Where keys of older vcluster.yaml files went, derived from vcluster's own code (never hand-written here):
//
// - 0.19 → 0.20: the legacy values and their conversion (config/legacyconfig, `vcluster convert config`), run leaf by
//   leaf by tools/vcluster/configmigrations into generated/vcluster-config-data.json.
// - 0.32: the keys `vcluster create --upgrade` warns about (pkg/cli/create_helm.go `advisors`, texts in
//   config/warnings.go and pkg/platform/sleepmode/sleepmode.go, v0.36.1); each text has an old → new example table,
//   whose two sides are paired here leaf by leaf.
//
// No vscode import: unit-tested in plain Node.

export interface KeyMove {
  /** Dotted key path of the old form (a leaf, or a map whose keys are the user's). */
  readonly from: string;
  /** Dotted key paths where vcluster puts it now; empty when it was dropped. */
  readonly to: readonly string[];
  /** The vcluster version that moved it. */
  readonly since: string;
  /** Why there is no new key (the conversion rejects it), when known. */
  readonly reason?: string;
  /** legacy: the 0.19 values (`vcluster convert config`); advisor: a key `vcluster create --upgrade` warns about. */
  readonly source: 'legacy' | 'advisor';
}

export interface MigrationData {
  readonly chartVersion: string;
  readonly legacy: readonly { from: string; to: readonly string[]; error?: string }[];
  readonly advisors: readonly { key: string; old: string; new: string; intro: string }[];
}

type Leaves = Map<string, unknown>;

function leavesOf(v: unknown, prefix: string[] = [], out: Leaves = new Map()): Leaves {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) leavesOf(x, [...prefix, k], out);
  } else if (prefix.length) {
    out.set(prefix.join('.'), v);
  }
  return out;
}

function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * Pairs the leaves of an advisor's old and new example: leaves with the longest common key suffix first, equal example
 * values breaking ties; old leaves left without a partner were removed. Each pair also moves its parents: with common
 * suffix s, `old minus s` → `new minus s` (e.g. external.platform.autoSleep → sleep.auto).
 */
export function pairAdvisorExample(oldYaml: string, newYaml: string, since: string): KeyMove[] {
  const olds = [...leavesOf(parseYaml(oldYaml)).entries()];
  const news = [...leavesOf(parseYaml(newYaml)).entries()];
  const candidates: { o: number; n: number; suffix: number; same: boolean }[] = [];
  olds.forEach(([op, ov], o) =>
    news.forEach(([np, nv], n) => {
      const suffix = commonSuffix(op.split('.'), np.split('.'));
      if (suffix > 0) candidates.push({ o, n, suffix, same: JSON.stringify(ov) === JSON.stringify(nv) });
    }),
  );
  candidates.sort((a, b) => b.suffix - a.suffix || Number(b.same) - Number(a.same) || a.o - b.o || a.n - b.n);
  const usedO = new Set<number>();
  const usedN = new Set<number>();
  const moves = new Map<string, KeyMove>();
  for (const c of candidates) {
    if (usedO.has(c.o) || usedN.has(c.n)) continue;
    usedO.add(c.o);
    usedN.add(c.n);
    const op = olds[c.o]![0].split('.');
    const np = news[c.n]![0].split('.');
    moves.set(op.join('.'), { from: op.join('.'), to: [np.join('.')], since, source: 'advisor' });
    const po = op.slice(0, op.length - c.suffix).join('.');
    const pn = np.slice(0, np.length - c.suffix).join('.');
    if (po && pn && !moves.has(po)) moves.set(po, { from: po, to: [pn], since, source: 'advisor' });
  }
  olds.forEach(([op], o) => {
    if (!usedO.has(o)) moves.set(op, { from: op, to: [], since, source: 'advisor' });
  });
  return [...moves.values()];
}

/** Every known move, from the generated data. */
export function buildMoves(d: MigrationData = data as MigrationData): KeyMove[] {
  const out: KeyMove[] = [];
  for (const l of d.legacy) {
    out.push({
      from: l.from,
      to: [...l.to],
      since: '0.20',
      source: 'legacy',
      ...(l.error ? { reason: l.error.replace(/^migrate legacy k8s values: (error converting syncer config: )?/, '') } : {}),
    });
  }
  // The version the advisors warn from: config/warnings.go and pkg/platform/sleepmode compare against v0.32.0-alpha.0.
  for (const a of d.advisors) out.push(...pairAdvisorExample(a.old, a.new, '0.32'));
  return out;
}

export class KeyMoves {
  private readonly byFrom = new Map<string, KeyMove>();

  constructor(moves: readonly KeyMove[] = buildMoves()) {
    for (const m of moves) if (!this.byFrom.has(m.from)) this.byFrom.set(m.from, m);
  }

  /** The move of the longest old key that is `path` or a parent of it. */
  find(path: readonly string[]): KeyMove | undefined {
    for (let n = path.length; n > 0; n--) {
      const m = this.byFrom.get(path.slice(0, n).join('.'));
      if (m) return m;
    }
    return undefined;
  }

  get size(): number {
    return this.byFrom.size;
  }
}

function commonSuffix2(a: readonly string[], b: readonly string[]): number {
  return commonSuffix(
    a.map((x) => x.toLowerCase()),
    b.map((x) => x.toLowerCase()),
  );
}

/**
 * The new key to name in a message: the one key; of several, the one that ends like the old key (two keys or more in
 * common, e.g. sync.ingresses.enabled → sync.toHost.ingresses.enabled); else their common parent when it says
 * something; else undefined (the conversion spreads the key over several places).
 */
export function describeTarget(from: string, to: readonly string[]): string | undefined {
  if (to.length === 0) return undefined;
  if (to.length === 1) return to[0];
  const f = from.split('.');
  const scored = to.map((t) => ({ t, n: commonSuffix2(f, t.split('.')) })).sort((a, b) => b.n - a.n);
  if (scored[0]!.n >= 2 && scored[1]!.n < scored[0]!.n) return scored[0]!.t;
  const parts = to.map((t) => t.split('.'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length - 1 && p[i] === parts[0]![i]); i++) common.push(parts[0]![i]!);
  return common.length >= 2 ? common.join('.') : undefined;
}

/** The warning for an old key that is not valid any more. */
export function moveMessage(m: KeyMove): string {
  const target = describeTarget(m.from, m.to);
  if (target) return `"${m.from}" is the form of vcluster before ${m.since}: use "${target}" instead`;
  if (m.reason) return `"${m.from}" is not supported since vcluster ${m.since}: ${m.reason}`;
  if (m.source === 'advisor') return `"${m.from}" was removed in vcluster ${m.since}: it has no replacement`;
  return `"${m.from}" is a key of vcluster before ${m.since} without a single new key: convert the file with "vcluster convert config --distro k8s"`;
}

/** The bundled chart version (the vcluster module tools/vcluster/go.mod pins). */
export const BUNDLED_CHART_VERSION: string = (data as MigrationData).chartVersion;
