import fs from 'node:fs';
import path from 'node:path';
import { BUNDLED_CHART_VERSION } from './migrations';
import { isRecord as isObject } from '../../shared/guards';

// The JSON schema of vcluster.yaml (chart/values.schema.json of the vcluster chart, draft 2020-12) and what can be read
// from it beyond validation: the schema of a key path, and the keys the schema itself marks deprecated (vcluster's Go
// comments "Deprecated: Use X instead." / "Deprecated: Removed in 0.36.0 ..." end up in the descriptions).
// No vscode import.

export type JsonSchema = Readonly<Record<string, unknown>>;

/** Where the bundled schema lives, relative to the extension's (or the repository's) root. */
export const BUNDLED_SCHEMA_PATH = path.join('schemas', 'vcluster.schema.json');

/** vcluster.yaml, vcluster.yml, NAME.vcluster.yaml and NAME.vcluster.yml: the files the schema applies to. */
export function isVClusterYamlName(fileName: string): boolean {
  return /^(?:.+\.)?vcluster\.ya?ml$/i.test(path.posix.basename(fileName.replace(/\\/g, '/')));
}

export function loadBundledSchema(root: string): JsonSchema {
  return JSON.parse(fs.readFileSync(path.join(root, BUNDLED_SCHEMA_PATH), 'utf8')) as JsonSchema;
}

/** Follows local `$ref`s (`#/$defs/Name`). */
export function deref(root: JsonSchema, s: unknown): Record<string, unknown> | undefined {
  let cur = s;
  for (let guard = 0; isObject(cur) && typeof cur.$ref === 'string' && guard < 32; guard++) {
    const ref = cur.$ref;
    if (!ref.startsWith('#/')) return undefined;
    let target: unknown = root;
    for (const seg of ref.slice(2).split('/')) target = isObject(target) ? target[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    cur = target;
  }
  return isObject(cur) ? cur : undefined;
}

/** The schema of the value at `keys` (object keys only), or undefined when the schema does not describe it. */
export function schemaAt(root: JsonSchema, keys: readonly string[]): Record<string, unknown> | undefined {
  let cur = deref(root, root);
  for (const k of keys) {
    if (!cur) return undefined;
    const props = cur.properties;
    if (isObject(props) && k in props) {
      cur = deref(root, props[k]);
    } else if (isObject(cur.additionalProperties)) {
      cur = deref(root, cur.additionalProperties);
    } else {
      return undefined;
    }
  }
  return cur;
}

/** The property names of an object schema, for matching a Go field path ("ControlPlane.Distro.K8S") to YAML keys. */
function propertyNamed(s: Record<string, unknown> | undefined, goName: string): string | undefined {
  const props = s?.properties;
  if (!isObject(props)) return undefined;
  return Object.keys(props).find((k) => k.toLowerCase() === goName.toLowerCase());
}

/** Resolves a Go field path such as "ControlPlane.Distro.K8S.Scheduler" to the YAML keys, from `base` (root: []). */
function resolveGoPath(root: JsonSchema, base: readonly string[], goPath: string): string[] | undefined {
  const out = [...base];
  let cur = schemaAt(root, base);
  for (const seg of goPath.split('.')) {
    const k = propertyNamed(cur, seg);
    if (!k) return undefined;
    out.push(k);
    cur = schemaAt(root, out);
  }
  return out;
}

export interface Deprecation {
  /** The text after "Deprecated:" in the key's description. */
  readonly note: string;
  /** The key to use instead, as YAML keys, when the note names one ("Use X instead"). */
  readonly replacement?: readonly string[];
  /** The note says the Helm chart rejects the key (it was removed). */
  readonly rejected: boolean;
}

/** The deprecation the schema states for the key at `keys`, if any. */
export function deprecationAt(root: JsonSchema, keys: readonly string[]): Deprecation | undefined {
  if (keys.length === 0) return undefined;
  const parent = schemaAt(root, keys.slice(0, -1));
  const props = parent?.properties;
  const own = isObject(props) ? props[keys[keys.length - 1]!] : undefined;
  // The note may be on the property (its own description) or on the type it refers to.
  const texts = [isObject(own) ? own.description : undefined, deref(root, own)?.description].filter((t): t is string => typeof t === 'string');
  for (const text of texts) {
    const m = /(?:^|\n)\s*Deprecated:\s*([\s\S]*)$/.exec(text);
    if (!m) continue;
    const note = m[1]!.trim().replace(/\s+/g, ' ');
    const use = /\bUse ([A-Za-z0-9_.]+) instead\b/.exec(note);
    let replacement: string[] | undefined;
    if (use) {
      // Go paths name either a field of the root config or a sibling of the deprecated key.
      replacement = resolveGoPath(root, [], use[1]!) ?? resolveGoPath(root, keys.slice(0, -1), use[1]!);
    }
    return { note, ...(replacement ? { replacement } : {}), rejected: /rejected by the Helm chart/i.test(note) };
  }
  return undefined;
}

/**
 * The schema to validate values for a target chart version: always the bundled one, with a note when the target is
 * another version. Never the schema stored in a Helm release: that is cluster data, and its `pattern`s would run as
 * regular expressions here (a backtracking one can take seconds per value).
 */
export function schemaForVersion(bundled: () => JsonSchema, version: string | undefined): { schema: JsonSchema; note?: string } {
  const v = version?.replace(/^v/, '');
  if (!v || v === BUNDLED_CHART_VERSION) return { schema: bundled() };
  return { schema: bundled(), note: `vcluster Explorer bundles the schema of ${BUNDLED_CHART_VERSION}, so the values were checked against that, not ${v}'s` };
}
