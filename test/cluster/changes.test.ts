// Changing what is inside a cluster (src/vcluster/changes): server-side apply with its dry-run plan, diff, edit,
// delete, scale and restart, against the harness's real kube-apiserver and kube-controller-manager (the deployment
// and namespace controllers run), with real kubectl v1.34.4 as the oracle and as the other field manager. No real
// vcluster is needed: a vcluster's API server is a kube-apiserver like this one, and these calls reach it through the
// same KubeClient. Every case shares the client, the resolver and kubectl as the oracle; the one that stops an API
// server starts a host of its own, so that the shared host's controllers are not left recovering for the suites
// after it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { type HostCluster, startHost } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor } from '../harness/cluster/rest';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeClient } from '../../src/kube/client';
import { isKubeError } from '../../src/kube/errors';
import { CancelledError, UserFacingError } from '../../src/shared/errors';
import { applyPlan, planApply } from '../../src/vcluster/changes/apply';
import { diffDocuments } from '../../src/vcluster/changes/diff';
import { openForEdit, saveEdit } from '../../src/vcluster/changes/edit';
import { type ResolvedResource, type ResourceResolver, parseManifest } from '../../src/vcluster/changes/manifest';
import { RESTARTED_AT, deleteObject, readScale, restartWorkload, scaleTo } from '../../src/vcluster/changes/objectActions';
import { getHost, uniqueNamespace } from './setup';

/** A resolver as the discovery module will be: the group version's resource list, asked anew each time. */
function discoveryResolver(client: KubeClient): ResourceResolver {
  return async (apiVersion, kind) => {
    try {
      const list = await client.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
        apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
      );
      const r = list.resources.find((x) => x.kind === kind && !x.name.includes('/'));
      if (!r) return undefined;
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      return { group: group!, version: version!, resource: r.name, kind, namespaced: r.namespaced };
    } catch (err) {
      if (isKubeError(err, 'notFound')) return undefined;
      throw err;
    }
  };
}

/** A client of the host's admin kubeconfig. */
function clientOf(host: HostCluster): KubeClient {
  const doc = YAML.parse(host.kubeconfig) as {
    clusters: { name: string; cluster: Record<string, unknown> }[];
    users: { name: string; user: Record<string, unknown> }[];
  };
  return new KubeClient(
    {
      contextName: host.contextName,
      clusterName: doc.clusters[0]!.name,
      cluster: doc.clusters[0]!.cluster,
      userName: doc.users[0]!.name,
      user: doc.users[0]!.user,
    },
    { timeoutMs: 20_000 },
  );
}

const apps = (resource: string): ResolvedResource => ({
  group: 'apps',
  version: 'v1',
  resource,
  kind: resource === 'deployments' ? 'Deployment' : 'StatefulSet',
  namespaced: true,
});
const configMaps: ResolvedResource = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };

const deployment = (ns: string, name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: main
          image: registry.invalid/app:1
${extra}`;

describe('changes inside a cluster: apply, diff, edit, delete, scale, restart', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let client: KubeClient;
  let resolve: ResourceResolver;
  let dir: string;
  const kubectl = (args: string[], input?: string) =>
    runProgram(toolPath('kubectl'), ['--kubeconfig', host.kubeconfigPath, ...args], { allowFailure: true, timeoutMs: 60_000, ...(input ? { input } : {}) });
  const jsonpath = async (args: string[], expr: string) => (await kubectl(['get', ...args, '-o', `jsonpath=${expr}`])).stdout;
  const plan = (text: string, opts: { force?: boolean; signal?: AbortSignal; onProgress?: Parameters<typeof planApply>[2]['onProgress'] } = {}) =>
    planApply(client, parseManifest(text), { resolve, ...opts });

  before(async () => {
    host = await getHost();
    client = clientOf(host);
    resolve = discoveryResolver(client);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-changes-'));
  });
  after(() => {
    client?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies a Namespace, a ConfigMap and a Deployment: 3 created, then unchanged, then one configured', async () => {
    const ns = uniqueNamespace('chg-app');
    const file = (mode: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: ${ns} }\ndata: { mode: ${mode} }\n---\n${deployment(ns, 'web')}---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`;
    const p1 = await plan(file('a'));
    assert.deepEqual(p1.refused, []);
    assert.deepEqual(p1.counts, { created: 3, configured: 0, unchanged: 0 });
    assert.deepEqual(
      p1.entries.map((e) => e.doc.kind),
      ['Namespace', 'ConfigMap', 'Deployment'],
      'the Namespace goes first',
    );
    assert.equal(p1.entries[1]!.waitsFor?.kind, 'Namespace', 'the ConfigMap cannot be dry-run before its namespace exists');
    assert.equal((await kubectl(['get', 'namespace', ns])).code, 1, 'the plan created nothing');

    const r1 = await applyPlan(client, p1);
    assert.deepEqual(r1.failed, []);
    assert.deepEqual(
      r1.applied.map((a) => `${a.doc.kind}:${a.outcome}`),
      ['ConfigMap:created', 'Deployment:created', 'Namespace:created'],
    );
    assert.equal(await jsonpath(['configmap', 'settings', '-n', ns], '{.data.mode}'), 'a');
    assert.equal(await jsonpath(['configmap', 'settings', '-n', ns], '{.metadata.managedFields[0].manager}'), 'vcluster-explorer');
    await waitFor(
      'the deployment controller to see the Deployment',
      async () => (await jsonpath(['deploy', 'web', '-n', ns], '{.status.observedGeneration}')) === '1',
    );

    const p2 = await plan(file('a'));
    assert.deepEqual(p2.counts, { created: 0, configured: 0, unchanged: 3 });
    const settings = p2.entries.find((e) => e.doc.kind === 'ConfigMap')!;
    assert.equal(
      (settings.dryRun!.metadata as { resourceVersion: string }).resourceVersion,
      (settings.live!.metadata as { resourceVersion: string }).resourceVersion,
    );
    const r2 = await applyPlan(client, p2);
    assert.deepEqual(
      r2.applied.map((a) => a.outcome),
      ['unchanged', 'unchanged', 'unchanged'],
    );

    const p3 = await plan(file('b'));
    assert.deepEqual(p3.counts, { created: 0, configured: 1, unchanged: 2 });
    const r3 = await applyPlan(client, p3);
    assert.equal(r3.applied.find((a) => a.doc.kind === 'ConfigMap')!.outcome, 'configured');
    assert.equal(await jsonpath(['configmap', 'settings', '-n', ns], '{.data.mode}'), 'b');
  });

  it('a file with one invalid document applies nothing and names the document with the server’s reason', async () => {
    const ns = uniqueNamespace('chg-bad');
    await kubectl(['create', 'namespace', ns]);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fine, namespace: ${ns} }\n---\n${deployment(ns, 'broken').replace('replicas: 1', 'replicas: -1')}---\napiVersion: example.org/v1\nkind: Gadget\nmetadata: { name: g, namespace: ${ns} }\n`;
    const p = await plan(text);
    assert.equal(p.refused.length, 2);
    assert.match(p.refused[0]!.message, new RegExp(`^document 2 \\(Deployment ${ns}/broken\\): .*spec\\.replicas.*greater than or equal to 0`));
    assert.ok(p.refused[0]!.causes?.some((c) => c.field === 'spec.replicas'));
    assert.match(p.refused[1]!.message, /^document 3 \(Gadget .*\/g\): the vcluster does not serve kind Gadget of apiVersion example\.org\/v1/);
    await assert.rejects(
      applyPlan(client, p),
      (err: unknown) => err instanceof UserFacingError && /^Nothing was applied: 2 documents were refused/.test(err.message),
    );
    assert.equal((await kubectl(['get', 'configmap', 'fine', '-n', ns])).code, 1, 'the valid ConfigMap was not applied either');
  });

  it('a CustomResourceDefinition and its custom resource in one file: the resource waits until the CRD is Established', async () => {
    const ns = uniqueNamespace('chg-crd');
    await kubectl(['create', 'namespace', ns]);
    const group = `${ns}.example.com`;
    const text = `apiVersion: ${group}/v1\nkind: Widget\nmetadata: { name: blue, namespace: ${ns} }\nspec: { size: 3 }\n---
apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: widgets.${group} }
spec:\n  group: ${group}\n  scope: Namespaced\n  names: { plural: widgets, singular: widget, kind: Widget }
  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }\n`;
    const p = await plan(text);
    assert.deepEqual(p.refused, []);
    assert.deepEqual(p.counts, { created: 2, configured: 0, unchanged: 0 });
    assert.equal(p.entries[1]!.waitsFor?.kind, 'CustomResourceDefinition');
    const r = await applyPlan(client, p);
    assert.deepEqual(r.failed, []);
    assert.equal(r.applied.length, 2);
    assert.equal(await jsonpath([`widgets.${group}`, 'blue', '-n', ns], '{.spec.size}'), '3');
  });

  it('a conflict with another field manager is reported, not forced; force takes the field only when asked', async () => {
    const ns = uniqueNamespace('chg-conflict');
    await kubectl(['create', 'namespace', ns]);
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared, namespace: ${ns} }\ndata: { key: ${v} }\n`;
    const theirs = await kubectl(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], cm('theirs'));
    assert.equal(theirs.code, 0, theirs.stderr);
    const p = await plan(cm('ours'));
    assert.equal(p.refused.length, 1);
    assert.ok(p.refused[0]!.conflict);
    assert.match(p.refused[0]!.message, /conflict with "other"/);
    assert.ok(p.refused[0]!.causes?.some((c) => c.field === '.data.key' && /other/.test(c.message ?? '')));
    await assert.rejects(applyPlan(client, p), UserFacingError);
    assert.equal(await jsonpath(['configmap', 'shared', '-n', ns], '{.data.key}'), 'theirs');

    const forced = await plan(cm('ours'), { force: true });
    assert.deepEqual(forced.counts, { created: 0, configured: 1, unchanged: 0 });
    await applyPlan(client, forced);
    assert.equal(await jsonpath(['configmap', 'shared', '-n', ns], '{.data.key}'), 'ours');
  });

  it('refuses a document for a terminating namespace and applies nothing', async () => {
    const ns = uniqueNamespace('chg-term');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'configmap', 'held', '-n', ns]);
    await kubectl(['patch', 'configmap', 'held', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    try {
      await waitFor('the namespace to be terminating', async () => (await jsonpath(['namespace', ns], '{.status.phase}')) === 'Terminating');
      const p = await plan(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: late, namespace: ${ns} }\n`);
      assert.equal(p.refused.length, 1);
      assert.match(p.refused[0]!.message, new RegExp(`namespace ${ns} is being deleted \\(terminating\\)`));
      await assert.rejects(applyPlan(client, p), UserFacingError);
    } finally {
      await kubectl(['patch', 'configmap', 'held', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
  });

  it('cancelled during the dry run: nothing is applied', async () => {
    const ns = uniqueNamespace('chg-cancel');
    await kubectl(['create', 'namespace', ns]);
    const text = Array.from({ length: 30 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i}, namespace: ${ns} }\n`).join('---\n');
    const ac = new AbortController();
    await assert.rejects(
      plan(text, { signal: ac.signal, onProgress: (pr) => pr.done === 3 && ac.abort() }),
      (err: unknown) => err instanceof CancelledError || isKubeError(err, 'cancelled'),
    );
    const names = (await jsonpath(['configmaps', '-n', ns], '{.items[*].metadata.name}')).split(' ');
    assert.deepEqual(
      names.filter((n) => /^c\d+$/.test(n)),
      [],
      'no ConfigMap of the file exists',
    );
  });

  it('a file of 10,000 documents: progress over all of them, and cancelled in the dry run nothing is applied', async () => {
    const ns = uniqueNamespace('chg-huge');
    await kubectl(['create', 'namespace', ns]);
    const text = Array.from(
      { length: 10_000 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i}, namespace: ${ns} }\ndata: { i: "${i}" }\n`,
    ).join('---\n');
    const docs = parseManifest(text);
    assert.equal(docs.length, 10_000);
    const ac = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      planApply(client, docs, { resolve, signal: ac.signal, onProgress: (pr) => (seen.push(pr.total), pr.done === 200 && ac.abort()) }),
      (err: unknown) => err instanceof CancelledError || isKubeError(err, 'cancelled'),
    );
    assert.ok(seen.length > 200 && seen.every((t) => t === 10_000), 'progress counts toward all 10,000 documents');
    assert.equal(await jsonpath(['configmaps', '-n', ns], '{.items[*].metadata.name}').then((s) => s.split(' ').filter((n) => /^c\d+$/.test(n)).length), 0);
  });

  it('cancelled during the apply: the objects already applied and those not sent are listed', async () => {
    const ns = uniqueNamespace('chg-stop');
    await kubectl(['create', 'namespace', ns]);
    const text = Array.from({ length: 12 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i}, namespace: ${ns} }\n`).join('---\n');
    const p = await plan(text);
    const ac = new AbortController();
    const r = await applyPlan(client, p, { concurrency: 1, signal: ac.signal, onProgress: (pr) => pr.done === 4 && ac.abort() });
    assert.equal(r.stopped, 'The apply was cancelled');
    assert.deepEqual(
      r.applied.map((a) => a.doc.name),
      ['c0', 'c1', 'c2', 'c3'],
    );
    assert.deepEqual(
      r.notApplied.map((d) => d.name),
      ['c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11'],
    );
    const names = (await jsonpath(['configmaps', '-n', ns], '{.items[*].metadata.name}')).split(' ').filter((n) => /^c\d+$/.test(n));
    assert.deepEqual(names.sort(), ['c0', 'c1', 'c2', 'c3']);
  });

  it('the API server goes away mid-apply: what was applied and what was not are listed', async () => {
    // A host of its own (no controllers needed for config maps): stopping the shared one would leave its controllers
    // backing off while later suites wait for them.
    const own = await startHost({ contextName: 'changes-lost', controllers: [] });
    const ownClient = clientOf(own);
    try {
      const ns = 'chg-lost';
      await own.rest.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      const text = Array.from({ length: 8 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i}, namespace: ${ns} }\n`).join('---\n');
      const p = await planApply(ownClient, parseManifest(text), { resolve: discoveryResolver(ownClient) });
      let stopping: Promise<void> | undefined;
      let r;
      try {
        r = await applyPlan(ownClient, p, { concurrency: 1, onProgress: (pr) => pr.done === 3 && (stopping = own.stopApiServer()) });
        await stopping;
      } finally {
        await stopping?.catch(() => undefined);
        await own.startApiServer();
      }
      assert.ok(r.stopped && /stopped answering/.test(r.stopped), r.stopped);
      assert.ok(r.applied.length >= 3, `${r.applied.length} applied`);
      assert.ok(r.notApplied.length >= 1, 'some were not sent');
      assert.equal(r.applied.length + r.failed.length + r.notApplied.length, 8, 'every document is listed once');
      const list = await own.rest.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${ns}/configmaps`);
      const live = list.items.map((c) => c.metadata.name).filter((n) => /^c\d$/.test(n));
      assert.deepEqual(live.sort(), r.applied.map((a) => a.doc.name).sort(), 'exactly the listed ones exist');
    } finally {
      ownClient.dispose();
      await own.stop();
    }
  });

  it('diff shows the same changed lines as `kubectl diff --server-side`, Secret data masked the same way', async () => {
    const ns = uniqueNamespace('chg-diff');
    await kubectl(['create', 'namespace', ns]);
    const before = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg, namespace: ${ns} }\ndata: { a: "1", b: "2" }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: sec, namespace: ${ns} }\nstringData: { same: s, changed: old }\n`;
    assert.equal((await kubectl(['apply', '--server-side', '--field-manager', 'vcluster-explorer', '-f', '-'], before)).code, 0);
    const after = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg, namespace: ${ns}, labels: { tier: web } }\ndata: { a: "3" }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: sec, namespace: ${ns} }\nstringData: { same: s, changed: new }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: fresh, namespace: ${ns} }\ndata: { n: "1" }\n`;
    const file = path.join(dir, 'after.yaml');
    fs.writeFileSync(file, after);
    const theirs = await kubectl(['diff', '--server-side', '--field-manager', 'vcluster-explorer', '-f', file]);
    assert.equal(theirs.code, 1, `kubectl diff finds differences: ${theirs.stderr}`);
    const changed = (lines: string[], sign: string) =>
      lines
        .filter((l) => l.startsWith(sign) && !l.startsWith(`${sign}${sign}${sign}`))
        .map((l) => l.slice(1).trim())
        .filter((l) => l !== '' && !/^(creationTimestamp|uid|resourceVersion):/.test(l)) // a new object's: differ from run to run
        .map(semantic)
        .sort();
    // Each changed line by what it says, not how it quotes: go-yaml writes '*** (before)' where we write "*** (before)".
    const semantic = (l: string) => {
      try {
        return JSON.stringify(YAML.parse(l));
      } catch {
        return l;
      }
    };
    const kubectlLines = theirs.stdout.split('\n');

    const ours = await diffDocuments(client, parseManifest(after), { resolve });
    assert.deepEqual(ours.plan.counts, { created: 1, configured: 2, unchanged: 0 });
    assert.ok(!JSON.stringify(ours.diffs).includes(Buffer.from('new').toString('base64')), 'no Secret value in the diff');
    const minus: string[] = [];
    const plus: string[] = [];
    for (const d of ours.diffs) {
      const l = d.live ? d.live.split('\n') : [];
      const m = d.merged.split('\n');
      minus.push(...l.filter((x) => !m.includes(x)).map((x) => `-${x}`));
      plus.push(...m.filter((x) => !l.includes(x)).map((x) => `+${x}`));
    }
    assert.deepEqual(changed(minus, '-'), changed(kubectlLines, '-'));
    assert.deepEqual(changed(plus, '+'), changed(kubectlLines, '+'));
    assert.ok(plus.some((l) => l.includes('*** (after)')) && minus.some((l) => l.includes('*** (before)')), 'a changed Secret value shows as kubectl shows it');
  });

  it('edit: a stale version is refused and the newer value kept; an explicit overwrite saves; the server’s reason is placed', async () => {
    const ns = uniqueNamespace('chg-edit');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'configmap', 'cfg', '-n', ns, '--from-literal=k=one']);
    const loc = { resource: configMaps, namespace: ns, name: 'cfg' };
    const session = await openForEdit(client, loc);
    assert.doesNotMatch(session.yaml, /managedFields/);
    assert.match(session.yaml, /resourceVersion:/);
    await kubectl(['patch', 'configmap', 'cfg', '-n', ns, '--type', 'merge', '-p', '{"data":{"k":"kubectl"}}']);
    const edited = session.yaml.replace('k: one', 'k: mine');
    const stale = await saveEdit(client, session, edited);
    assert.equal(stale.outcome, 'conflict');
    assert.ok(stale.outcome === 'conflict' && /k: kubectl/.test(stale.serverYaml));
    assert.equal(await jsonpath(['configmap', 'cfg', '-n', ns], '{.data.k}'), 'kubectl', 'nothing was overwritten');
    const overwrite = await saveEdit(client, session, edited, { overwriteVersion: stale.outcome === 'conflict' ? stale.serverResourceVersion : '' });
    assert.equal(overwrite.outcome, 'saved');
    assert.equal(await jsonpath(['configmap', 'cfg', '-n', ns], '{.data.k}'), 'mine');

    assert.equal((await kubectl(['apply', '-f', '-'], deployment(ns, 'web'))).code, 0);
    // The deployment controller writes the new Deployment's status once; opened before that, the save would be
    // refused as a conflict (the resourceVersion moved) before the server validates it.
    await waitFor(
      'the deployment controller to observe the new Deployment',
      async () => (await jsonpath(['deploy', 'web', '-n', ns], '{.status.observedGeneration}')) === '1',
    );
    const d = await openForEdit(client, { resource: apps('deployments'), namespace: ns, name: 'web' });
    assert.doesNotMatch(d.yaml, /^status:/m);
    const bad = d.yaml.replace(/replicas: 1/, 'replicas: -1');
    const refused = await saveEdit(client, d, bad);
    assert.equal(refused.outcome, 'invalid');
    const problem = refused.outcome === 'invalid' ? refused.problems.find((x) => x.field === 'spec.replicas') : undefined;
    assert.equal(problem?.position?.line, bad.split('\n').findIndex((l) => /replicas: -1/.test(l)) + 1);
    assert.equal(await jsonpath(['deploy', 'web', '-n', ns], '{.spec.replicas}'), '1');
  });

  it('delete removes an object; one held by a finalizer says it waits for it', async () => {
    const ns = uniqueNamespace('chg-del');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'configmap', 'plain', '-n', ns]);
    assert.deepEqual(await deleteObject(client, { resource: configMaps, namespace: ns, name: 'plain' }), { gone: true });
    assert.equal((await kubectl(['get', 'configmap', 'plain', '-n', ns])).code, 1);

    await kubectl(['create', 'configmap', 'held', '-n', ns]);
    await kubectl(['patch', 'configmap', 'held', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    try {
      const r = await deleteObject(client, { resource: configMaps, namespace: ns, name: 'held' });
      assert.equal(r.gone, false);
      assert.ok(!r.gone && r.finalizers.includes('example.com/hold') && /waiting for finalizers example\.com\/hold/.test(r.message));
      assert.notEqual(await jsonpath(['configmap', 'held', '-n', ns], '{.metadata.deletionTimestamp}'), '');
    } finally {
      await kubectl(['patch', 'configmap', 'held', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
  });

  it('scale through the scale subresource; restart as kubectl rollout restart; a paused deployment is refused', async () => {
    const ns = uniqueNamespace('chg-scale');
    await kubectl(['create', 'namespace', ns]);
    assert.equal((await kubectl(['apply', '-f', '-'], deployment(ns, 'web') + '---\n' + deployment(ns, 'ref'))).code, 0);
    const web = { resource: apps('deployments'), namespace: ns, name: 'web' };
    assert.equal((await readScale(client, web)).replicas, 1);
    await scaleTo(client, web, 2);
    assert.equal(await jsonpath(['deploy', 'web', '-n', ns], '{.spec.replicas}'), '2');
    await assert.rejects(scaleTo(client, web, -1), UserFacingError);

    const r = await restartWorkload(client, web);
    const ann = await jsonpath(['deploy', 'web', '-n', ns], `{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`);
    assert.equal(ann, r.restartedAt);
    // kubectl's own value, in the same time zone: the same format.
    assert.equal((await kubectl(['rollout', 'restart', 'deployment/ref', '-n', ns])).code, 0);
    const theirs = await jsonpath(['deploy', 'ref', '-n', ns], `{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`);
    const shape = (s: string) => s.replace(/\d/g, '0');
    assert.equal(shape(ann), shape(theirs), `ours ${ann}, kubectl's ${theirs}`);
    assert.equal(ann.slice(19), theirs.slice(19), 'the same zone suffix');
    assert.equal(RESTARTED_AT, 'kubectl.kubernetes.io/restartedAt');

    // kubectl restarts an OnDelete StatefulSet too (objectrestarter.go refuses only a paused Deployment); so do we, and say so.
    const sts = deployment(ns, 'db')
      .replace('kind: Deployment', 'kind: StatefulSet')
      .replace('spec:\n  replicas: 1', 'spec:\n  serviceName: db\n  updateStrategy: { type: OnDelete }\n  replicas: 1');
    assert.equal((await kubectl(['apply', '-f', '-'], sts)).code, 0);
    const restarted = await restartWorkload(client, { resource: apps('statefulsets'), namespace: ns, name: 'db' });
    assert.match(restarted.note ?? '', /updates on delete/);
    assert.equal(
      await jsonpath(['statefulset', 'db', '-n', ns], `{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}`),
      restarted.restartedAt,
    );

    await kubectl(['rollout', 'pause', 'deployment/web', '-n', ns]);
    await assert.rejects(
      restartWorkload(client, web),
      (err: unknown) => err instanceof UserFacingError && err.message === "can't restart paused deployment (run rollout resume first)",
    );
    const paused = await kubectl(['rollout', 'restart', 'deployment/web', '-n', ns]);
    assert.match(paused.stderr, /can't restart paused deployment \(run rollout resume first\)/, 'kubectl says the same');
  });
});
