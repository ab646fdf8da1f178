import type { KubeClient } from '../../kube/client';
import type { ManifestDocument } from './manifest';
import { type ApplyPlan, type PlanEntry, type PlanOptions, planApply } from './apply';
import { type Obj, isRecord, toSortedYaml, withoutFields } from './objects';

// A file against what is live in the vcluster, as `kubectl diff --server-side` shows it (k8s.io/kubectl v0.34.4
// pkg/cmd/diff/diff.go): for each object the live version (nothing when it does not exist) and the server-side dry-run
// result ("MERGED"), both without metadata.managedFields (omitManagedFields) and, for a v1 Secret, with the values of
// `data` masked as its Masker masks them. Everything else stays, as in kubectl's output (resourceVersion, generation,
// a new object's uid and creationTimestamp). Keys are sorted, as kubectl prints them.

export interface DocumentDiff {
  readonly doc: ManifestDocument;
  /** "apps.v1.Deployment.shop.web": kubectl's name of the object's files (InfoObject.Name). */
  readonly name: string;
  /** YAML of the live object; "" when it does not exist. */
  readonly live: string;
  /** YAML of the dry-run result. */
  readonly merged: string;
  readonly action: PlanEntry['action'];
  /**
   * Set when the dry run waits for a Namespace or CustomResourceDefinition of the same file: the right side is then
   * the document itself, as the server cannot dry-run it before that object exists.
   */
  readonly approximate?: string;
}

export interface FileDiff {
  readonly plan: ApplyPlan;
  readonly diffs: readonly DocumentDiff[];
}

// kubectl v0.34.4 pkg/cmd/diff/diff.go: sensitiveMaskDefault, sensitiveMaskBefore, sensitiveMaskAfter.
const MASK = '***';
const MASK_BEFORE = '*** (before)';
const MASK_AFTER = '*** (after)';

/**
 * kubectl diff's Masker.run: every value of `data` becomes "***"; a key on both sides whose values differ becomes
 * "*** (before)" and "*** (after)", so the change still shows. Returns new objects.
 */
export function maskSecretData(from: Obj | undefined, to: Obj | undefined): { from?: Obj; to?: Obj } {
  const f = from ? structuredClone(from) : undefined;
  const t = to ? structuredClone(to) : undefined;
  const fd = f && isRecord(f.data) ? f.data : undefined;
  const td = t && isRecord(t.data) ? t.data : undefined;
  for (const k of Object.keys(fd ?? {})) {
    if (td && k in td) {
      if (fd![k] !== td[k]) {
        fd![k] = MASK_BEFORE;
        td[k] = MASK_AFTER;
        continue;
      }
      td[k] = MASK;
    }
    fd![k] = MASK;
  }
  for (const k of Object.keys(td ?? {})) if (!fd || !(k in fd)) td![k] = MASK;
  return { ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) };
}

function isSecret(o: Obj | undefined, doc: ManifestDocument): boolean {
  return doc.apiVersion === 'v1' && doc.kind === 'Secret' && (o === undefined || o.kind === 'Secret');
}

/** The two sides of one planned object, cleaned and masked as kubectl diff does. */
export function diffEntry(e: PlanEntry): DocumentDiff {
  const clean = (o: Obj | undefined) => (o ? withoutFields(o, ['managedFields']) : undefined);
  let from = clean(e.live);
  const local = e.dryRun ?? (e.doc.object as Obj);
  let to = clean(local);
  if (isSecret(to, e.doc)) ({ from, to } = maskSecretData(from, to));
  const r = e.resource;
  const name = `${r.group ? `${r.group}.` : ''}${r.version}.${r.kind}.${e.namespace ?? ''}.${e.doc.name}`;
  return {
    doc: e.doc,
    name,
    live: from ? toSortedYaml(from) : '',
    merged: to ? toSortedYaml(to) : '',
    action: e.action,
    ...(e.waitsFor ? { approximate: `waits for ${e.waitsFor.kind} ${e.waitsFor.name} (document ${e.waitsFor.index}) of the same file` } : {}),
  };
}

/**
 * Plans the documents (the same dry run as an apply: nothing is written) and returns each object's two sides. The
 * plan's refusals are returned with it; a refused document has no diff.
 */
export async function diffDocuments(client: KubeClient, docs: readonly ManifestDocument[], options: PlanOptions): Promise<FileDiff> {
  const plan = await planApply(client, docs, options);
  return { plan, diffs: plan.entries.map(diffEntry) };
}
