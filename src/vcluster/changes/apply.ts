import type { KubeClient } from '../../kube/client';
import { type StatusCause, isKubeError } from '../../kube/errors';
import { UserFacingError } from '../../shared/errors';
import {
  type ManifestDocument,
  type ResolvedResource,
  type ResourceResolver,
  applyOrder,
  describeDocument,
  isPrerequisite,
  resourcesDefinedBy,
} from './manifest';
import { FIELD_MANAGER, type Obj, isCancellation, isConnectionLoss, isRecord, metadataOf, objectPath, runBounded, sameObject, throwIfAborted } from './objects';

// Server-side apply of a file's documents to one vcluster, in two steps the caller confirms between: planApply
// resolves every document, reads the live object and dry-runs the apply (`?dryRun=All`), so that the plan says what
// will be created, configured or left unchanged and refuses the whole file when one document is refused; applyPlan
// then applies it: Namespaces and CustomResourceDefinitions first (their custom resources once the CRD is
// Established), the rest in file order with a few requests in flight. A conflict with another field manager is
// reported, never forced unless the caller asks.

export type PlannedAction = 'create' | 'configure' | 'unchanged';

export interface PlanEntry {
  readonly doc: ManifestDocument;
  readonly resource: ResolvedResource;
  /** The namespace it goes to (namespaced resources only). */
  readonly namespace?: string;
  readonly action: PlannedAction;
  /** The live object before the apply (undefined: it does not exist). */
  readonly live?: Obj;
  /** The dry run's result (undefined while deferred). */
  readonly dryRun?: Obj;
  /**
   * Set when the dry run waits for an object of the same file: "Namespace shop (document 1)" or "CustomResourceDefinition
   * widgets.example.com (document 2)". The document is dry-run again once that object is applied.
   */
  readonly waitsFor?: { readonly kind: 'Namespace' | 'CustomResourceDefinition'; readonly name: string; readonly index: number };
}

export interface Refusal {
  readonly doc: ManifestDocument;
  /** The server's reason (or ours), naming the document. */
  readonly message: string;
  /** A 409: another field manager owns fields this document sets. */
  readonly conflict: boolean;
  readonly causes?: readonly StatusCause[];
}

export interface ApplyPlan {
  readonly context: string;
  /** In apply order. */
  readonly entries: readonly PlanEntry[];
  readonly refused: readonly Refusal[];
  readonly counts: { readonly created: number; readonly configured: number; readonly unchanged: number };
  readonly force: boolean;
}

export interface Progress {
  readonly phase: 'dry-run' | 'apply';
  readonly done: number;
  readonly total: number;
}

export interface PlanOptions {
  readonly resolve: ResourceResolver;
  /** For documents without metadata.namespace (kubectl: the context's namespace, else "default"). */
  readonly defaultNamespace?: string;
  /** Take over fields other managers own (`force=true`); only when the user asked for it. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Requests in flight (default 6). */
  readonly concurrency?: number;
}

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  readonly applied: readonly { readonly doc: ManifestDocument; readonly outcome: ApplyOutcome }[];
  readonly failed: readonly Refusal[];
  /** Not sent (or not known to be applied): after cancellation, a lost server or a refused deferred dry run. */
  readonly notApplied: readonly ManifestDocument[];
  /** Why the apply stopped before the end, when it did. */
  readonly stopped?: string;
}

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  readonly concurrency?: number;
  /** How long a CustomResourceDefinition of the file may take to become Established (default 60 s). */
  readonly establishTimeoutMs?: number;
}

const DEFAULT_CONCURRENCY = 6;

function refusal(doc: ManifestDocument, err: unknown): Refusal {
  const message = err instanceof Error ? err.message : String(err);
  const conflict = isKubeError(err, 'conflict');
  return { doc, message: `${describeDocument(doc)}: ${message}`, conflict, ...(isKubeError(err) && err.causes ? { causes: err.causes } : {}) };
}

function applyRequest(client: KubeClient, e: PlanEntry, dryRun: boolean, force: boolean, signal?: AbortSignal): Promise<Obj> {
  return client.request<Obj>('PATCH', objectPath({ resource: e.resource, namespace: e.namespace, name: e.doc.name }), {
    query: { fieldManager: FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}), ...(force ? { force: true } : {}) },
    body: e.doc.text,
    contentType: 'application/apply-patch+yaml',
    signal,
  });
}

async function getOrAbsent(client: KubeClient, path: string, signal?: AbortSignal): Promise<Obj | undefined> {
  try {
    return await client.get<Obj>(path, { signal });
  } catch (err) {
    if (isKubeError(err, 'notFound')) return undefined;
    throw err;
  }
}

/**
 * The live object and the dry run against that same version: a dry run keeps the live resourceVersion, so a
 * different one means a controller wrote the object in between, and both are read again (as kubectl diff retries,
 * k8s.io/kubectl v0.34.4 pkg/cmd/diff/diff.go maxRetries); the last try's pair is kept.
 */
async function liveAndDryRun(client: KubeClient, e: PlanEntry, force: boolean, signal?: AbortSignal): Promise<{ live?: Obj; dryRun: Obj }> {
  const path = objectPath({ resource: e.resource, namespace: e.namespace, name: e.doc.name });
  for (let attempt = 1; ; attempt++) {
    const live = await getOrAbsent(client, path, signal);
    const dryRun = await applyRequest(client, e, true, force, signal);
    const rv = (o: Obj | undefined) => metadataOf(o).resourceVersion;
    if (!live || rv(live) === rv(dryRun) || attempt >= 4) return { ...(live ? { live } : {}), dryRun };
  }
}

function actionOf(live: Obj | undefined, result: Obj): PlannedAction {
  if (!live) return 'create';
  return sameObject(live, result) ? 'unchanged' : 'configure';
}

function countsOf(entries: readonly PlanEntry[]): ApplyPlan['counts'] {
  const n = (a: PlannedAction) => entries.filter((e) => e.action === a).length;
  return { created: n('create'), configured: n('configure'), unchanged: n('unchanged') };
}

/**
 * Resolves, reads and dry-runs every document. Throws CancelledError when the signal fires (nothing was applied) and
 * the client's KubeError when the server cannot be reached; a document the server refuses goes into `refused`.
 */
export async function planApply(client: KubeClient, docs: readonly ManifestDocument[], options: PlanOptions): Promise<ApplyPlan> {
  const { signal } = options;
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  const refused: Refusal[] = [];
  const defined = resourcesDefinedBy(docs);
  const namespacesInFile = new Map(docs.filter((d) => d.kind === 'Namespace' && d.apiVersion === 'v1').map((d) => [d.name, d]));
  const crdDocs = new Map(docs.filter((d) => d.kind === 'CustomResourceDefinition').map((d) => [d.name, d]));
  const resolved = new Map<string, Promise<ResolvedResource | undefined>>();
  const drafts: { doc: ManifestDocument; resource: ResolvedResource; namespace?: string; waitsFor?: PlanEntry['waitsFor']; refused?: true }[] = [];

  for (const doc of applyOrder(docs)) {
    throwIfAborted(signal, 'The apply was cancelled; nothing was applied');
    const key = `${doc.apiVersion}|${doc.kind}`;
    if (!resolved.has(key)) resolved.set(key, options.resolve(doc.apiVersion, doc.kind, signal));
    let resource = await resolved.get(key)!;
    let waitsFor: PlanEntry['waitsFor'];
    if (!resource) {
      const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/', 2) : ['', doc.apiVersion];
      const def = defined.get(`${group}|${doc.kind}`);
      if (def && def.versions.includes(version!)) {
        resource = { ...def.resource, version: version! };
        waitsFor = { kind: 'CustomResourceDefinition', name: def.crd, index: crdDocs.get(def.crd)!.index };
      } else {
        refused.push({
          doc,
          conflict: false,
          message: `${describeDocument(doc)}: the vcluster does not serve kind ${doc.kind} of apiVersion ${doc.apiVersion}`,
        });
        continue;
      }
    }
    const namespace = resource.namespaced ? (doc.namespace ?? options.defaultNamespace ?? 'default') : undefined;
    drafts.push({ doc, resource, ...(namespace ? { namespace } : {}), ...(waitsFor ? { waitsFor } : {}) });
  }

  // The namespaces the documents go to: one that is being deleted refuses its documents; one the file creates makes
  // them wait for it (the server refuses their dry run until it exists).
  const namespaces = [...new Set(drafts.flatMap((d) => [d.namespace, d.doc.kind === 'Namespace' ? d.doc.name : undefined]).filter((n): n is string => !!n))];
  const liveNamespaces = new Map<string, Obj | undefined>();
  await runBounded(namespaces, limit, async (ns) => {
    liveNamespaces.set(ns, await getOrAbsent(client, `/api/v1/namespaces/${encodeURIComponent(ns)}`, signal));
  });
  for (const d of drafts) {
    const ns = d.doc.kind === 'Namespace' && d.doc.apiVersion === 'v1' ? d.doc.name : d.namespace;
    if (!ns) continue;
    const live = liveNamespaces.get(ns);
    if (live && metadataOf(live).deletionTimestamp) {
      refused.push({
        doc: d.doc,
        conflict: false,
        message: `${describeDocument(d.doc)}: namespace ${ns} is being deleted (terminating); nothing can be applied to it`,
      });
      d.refused = true;
    } else if (!live && d.namespace && namespacesInFile.has(d.namespace) && !d.waitsFor) {
      d.waitsFor = { kind: 'Namespace', name: d.namespace, index: namespacesInFile.get(d.namespace)!.index };
    }
  }

  const entries: (PlanEntry | undefined)[] = [];
  const usable = drafts.filter((d) => !d.refused);
  let done = 0;
  options.onProgress?.({ phase: 'dry-run', done, total: usable.length });
  await runBounded(usable, limit, async (d, i) => {
    throwIfAborted(signal, 'The apply was cancelled; nothing was applied');
    const base = { doc: d.doc, resource: d.resource, ...(d.namespace ? { namespace: d.namespace } : {}) };
    if (d.waitsFor) {
      // Neither the Namespace nor the CRD exists yet, so neither can this object.
      entries[i] = { ...base, action: 'create', waitsFor: d.waitsFor };
    } else {
      try {
        const { live, dryRun } = await liveAndDryRun(client, { ...base, action: 'create' }, options.force === true, signal);
        entries[i] = { ...base, action: actionOf(live, dryRun), dryRun, ...(live ? { live } : {}) };
      } catch (err) {
        if (isCancellation(err) || isConnectionLoss(err)) throw err;
        refused.push(refusal(d.doc, err));
      }
    }
    options.onProgress?.({ phase: 'dry-run', done: ++done, total: usable.length });
  });
  throwIfAborted(signal, 'The apply was cancelled; nothing was applied');
  const planned = entries.filter((e): e is PlanEntry => e !== undefined);
  refused.sort((a, b) => a.doc.index - b.doc.index);
  return { context: client.contextName, entries: planned, refused, counts: countsOf(planned), force: options.force === true };
}

/** One message for a refused plan: every refused document with the server's reason. */
export function refusalMessage(plan: ApplyPlan): string {
  const lines = plan.refused.slice(0, 20).map((r) => r.message);
  const more = plan.refused.length > 20 ? `\n… and ${plan.refused.length - 20} more` : '';
  return `Nothing was applied: ${plan.refused.length === 1 ? 'a document was' : `${plan.refused.length} documents were`} refused.\n${lines.join('\n')}${more}`;
}

/** Polls a CustomResourceDefinition until its Established condition is True (bounded). */
async function waitEstablished(client: KubeClient, name: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    throwIfAborted(signal, 'The apply was cancelled');
    const crd = await getOrAbsent(client, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`, signal);
    const conditions = isRecord(crd?.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
    if (conditions.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > until) throw new UserFacingError(`CustomResourceDefinition ${name} did not become Established within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Applies a plan the user confirmed. Refuses a plan with refused documents. Cancellation and a lost server stop it
 * between objects: the result lists what was applied, what failed and what was not sent.
 */
export async function applyPlan(client: KubeClient, plan: ApplyPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (plan.refused.length) throw new UserFacingError(refusalMessage(plan));
  const { signal } = options;
  throwIfAborted(signal, 'The apply was cancelled; nothing was applied');
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  const applied: { doc: ManifestDocument; outcome: ApplyOutcome }[] = [];
  const failed: Refusal[] = [];
  const sent = new Set<ManifestDocument>();
  let stopped: string | undefined;
  let done = 0;
  const total = plan.entries.length;
  const stop = () => {
    if (!stopped && signal?.aborted) stopped = 'The apply was cancelled';
    return stopped !== undefined;
  };
  const finish = (): ApplyResult => {
    stop();
    const byIndex = (a: { doc: ManifestDocument }, b: { doc: ManifestDocument }) => a.doc.index - b.doc.index;
    const failedDocs = new Set(failed.map((f) => f.doc));
    return {
      applied: applied.sort(byIndex),
      failed: failed.sort(byIndex),
      notApplied: plan.entries.filter((e) => !sent.has(e.doc) && !failedDocs.has(e.doc)).map((e) => e.doc),
      ...(stopped ? { stopped } : {}),
    };
  };
  const one = async (e: PlanEntry) => {
    if (stop()) return;
    sent.add(e.doc);
    try {
      // The caller's signal does not cut a request short: once sent, its outcome is known and listed.
      const obj = await applyRequest(client, e, false, plan.force);
      applied.push({ doc: e.doc, outcome: e.live ? (sameObject(e.live, obj) ? 'unchanged' : 'configured') : 'created' });
    } catch (err) {
      failed.push(refusal(e.doc, err));
      if (isConnectionLoss(err)) stopped = `The API server of context ${plan.context} stopped answering: ${(err as Error).message}`;
    }
    options.onProgress?.({ phase: 'apply', done: ++done, total });
  };

  // 1. Namespaces and CustomResourceDefinitions, one after the other; when one fails, nothing else is applied.
  for (const e of plan.entries.filter((x) => isPrerequisite(x.doc))) await one(e);
  if (!stopped && failed.length) stopped = 'A Namespace or CustomResourceDefinition was not applied, so nothing else was';
  if (stop()) return finish();

  // 2. The documents that waited for a Namespace or CRD of the file: the CRDs Established, then their dry run; when
  // one is refused, only the Namespaces and CRDs were applied.
  const waiting = plan.entries.filter((e) => e.waitsFor);
  try {
    for (const crd of new Set(waiting.flatMap((e) => (e.waitsFor?.kind === 'CustomResourceDefinition' ? [e.waitsFor.name] : [])))) {
      await waitEstablished(client, crd, options.establishTimeoutMs ?? 60_000, signal);
    }
    const refusedNow: Refusal[] = [];
    await runBounded(waiting, limit, async (e) => {
      throwIfAborted(signal, 'The apply was cancelled');
      try {
        await applyRequest(client, e, true, plan.force, signal);
      } catch (err) {
        if (isCancellation(err) || isConnectionLoss(err)) throw err;
        refusedNow.push(refusal(e.doc, err));
      }
    });
    if (refusedNow.length) {
      failed.push(...refusedNow);
      stopped = `${refusedNow.length} of the documents that waited for a Namespace or CustomResourceDefinition of the file ${refusedNow.length === 1 ? 'was' : 'were'} refused in their dry run, so only the Namespaces and CustomResourceDefinitions were applied`;
    }
  } catch (err) {
    stopped = isCancellation(err) ? 'The apply was cancelled' : (err as Error).message;
  }
  if (stop()) return finish();

  // 3. Everything else in file order, a few in flight.
  await runBounded(
    plan.entries.filter((e) => !isPrerequisite(e.doc)),
    limit,
    one,
    stop,
  );
  return finish();
}
