// Tenants of a shared host: users whose rights stop at ONE namespace (a ServiceAccount token and a client certificate),
// against the real kube-apiserver's RBAC. Cluster-wide discovery is refused and says so; the namespaces to search find
// their vclusters with the CLI's status and watch them; what the extension says they may do matches real
// `kubectl auth can-i`; a refused delete names the missing permission; and a tenant creates and deletes a vcluster
// with the real vcluster CLI and Helm, as in a terminal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { toolPath, vclusterChartDir, versions } from '../../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { waitFor, type KObject } from '../harness/cluster/rest';
import {
  TENANT_READ_RULES,
  addVCluster,
  buildWorld,
  createTenantUser,
  podStatusFor,
  type TenantRule,
  type TenantUser,
  type World,
} from '../harness/worlds/worlds';
import { KubeClient } from '../../src/kube/client';
import { connectionSpecFor } from '../../src/kube/connection';
import { KubeError, describePermission, parseDenial, qualifiedResource } from '../../src/kube/errors';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { loadKubeconfig } from '../../src/kube/kubeconfig/model';
import type { Permission } from '../../src/shared/model';
import { createArgs, deleteArgs } from '../../src/vcluster/cli';
import { DiscoveryForbiddenError } from '../../src/vcluster/discovery';
import { contextKey } from '../../src/shared/refKey';
import { SUMMARY_ACTIONS, describeMissing, requirements } from '../../src/vcluster/permissions';
import { stampChart } from '../support/charts';
import { getDemoWorld, getHost, uniqueNamespace } from './setup';
import { productModel, type ProductModel } from './product';

/** `kubectl auth can-i` as the tenant, with its own kubeconfig: the oracle for "may I?". */
async function canI(user: TenantUser, p: Permission): Promise<boolean> {
  // `can-i get pods/attach` would ask about the pod named "attach": a subresource goes in --subresource.
  const [resource, subresource] = p.resource.split('/');
  const r = await runProgram(
    toolPath('kubectl'),
    [
      '--kubeconfig',
      user.kubeconfigPath,
      'auth',
      'can-i',
      p.verb,
      qualifiedResource(resource!, p.group),
      ...(p.name ? [p.name] : []),
      ...(subresource ? ['--subresource', subresource] : []),
      ...(p.namespace ? ['-n', p.namespace] : []),
    ],
    { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() }, timeoutMs: 30_000, allowFailure: true },
  );
  const answer = r.stdout.trim();
  assert.ok(answer === 'yes' || answer === 'no', `kubectl auth can-i printed ${JSON.stringify(r.stdout + r.stderr)}`);
  return answer === 'yes';
}

/** Runs `work` over `items` with at most `n` at a time. */
async function inBatches<T, R>(items: readonly T[], n: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(work))));
  return out;
}

/** A tenant who may read vclusters and secrets, and pause them (patch), but not delete or create anything. */
const PAUSING_TENANT: TenantRule[] = [
  ...TENANT_READ_RULES,
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['deletecollection'] },
];

for (const credential of ['serviceAccountToken', 'clientCertificate'] as const) {
  describe(`a tenant allowed in one namespace only (${credential === 'serviceAccountToken' ? 'ServiceAccount token' : 'client certificate'})`, function () {
    this.timeout(180_000);
    let host: HostCluster;
    let world: World;
    let user: TenantUser;
    const ns = uniqueNamespace(credential === 'serviceAccountToken' ? 'tenant-sa' : 'tenant-cert');
    const elsewhere = uniqueNamespace('tenant-other');
    const search = new Map<string, string[]>();
    let p: ProductModel;

    before(async () => {
      host = await getHost();
      world = await buildWorld(host, [
        { name: 'team', namespace: ns, access: 'none' },
        { name: 'held', namespace: ns, state: 'Paused', access: 'none' },
        { name: 'theirs', namespace: elsewhere, access: 'none' },
      ]);
      user = await createTenantUser(host, ns, { name: `alice-${credential === 'serviceAccountToken' ? 'sa' : 'cert'}`, credential, rules: PAUSING_TENANT });
      p = productModel([user.kubeconfigPath], { watch: true, debounceMs: 50, searchNamespaces: (c) => search.get(c) ?? [] });
    });
    after(() => p?.dispose());

    it('is refused cluster-wide, and the refusal says which request was refused for which user', async () => {
      const err = await p.model.vclusters(user.contextName, true).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof DiscoveryForbiddenError, `expected a DiscoveryForbiddenError, got ${String(err)}`);
      assert.deepEqual(err.searched, ['default'], 'without a namespace in the context, the CLI\'s fallback "default" is searched');
      assert.deepEqual(
        {
          user: err.clusterWide?.user,
          verb: err.clusterWide?.verb,
          resource: err.clusterWide?.resource,
          group: err.clusterWide?.group,
          namespace: err.clusterWide?.namespace,
        },
        { user: user.username, verb: 'list', resource: 'statefulsets', group: 'apps', namespace: undefined },
      );
      assert.match(
        err.message,
        new RegExp(`forbidden cluster-wide and in namespace "default" for user "${user.username}" \\(refused: list statefulsets\\.apps\\)`),
      );
    });

    it('with its namespace to search, finds the vclusters there with the status the CLI would print, and only those', async () => {
      search.set(user.contextName, [ns]);
      p.model.invalidate();
      const result = await p.model.vclusters(user.contextName, true);
      assert.equal(result.restricted, true);
      assert.deepEqual(result.searchedNamespaces, [ns], 'the refused fallback "default" is not reported once something was readable');
      assert.deepEqual(result.refusedNamespaces ?? [], []);
      const found = result.namespaces
        .flatMap((n) => n.vclusters)
        .map((v) => `${v.ref.namespace}/${v.ref.name}:${v.status}`)
        .sort();
      const expected = world.vclusters
        .filter((v) => v.namespace === ns)
        .map((v) => `${v.namespace}/${v.name}:${v.expectedStatus}`)
        .sort();
      assert.deepEqual(found, expected);
      assert.deepEqual(expected.map((e) => e.split(':')[1]).sort(), ['Paused', 'Running']);
    });

    it('reports a searched namespace it may not read, next to the ones it may', async () => {
      search.set(user.contextName, [ns, elsewhere]);
      p.model.invalidate();
      try {
        const result = await p.model.vclusters(user.contextName, true);
        assert.deepEqual(result.searchedNamespaces, [ns]);
        const refused = result.refusedNamespaces ?? [];
        assert.deepEqual(
          refused.map((r) => r.namespace),
          [elsewhere],
        );
        assert.equal(refused[0]!.denial?.user, user.username);
        assert.equal(refused[0]!.denial?.namespace, elsewhere);
        assert.ok(!result.namespaces.some((n) => n.name === elsewhere), 'nothing of the other tenant is shown');
      } finally {
        search.set(user.contextName, [ns]);
        p.model.invalidate();
      }
    });

    it('watches deliver changes in that namespace (a vcluster paused, another one created)', async () => {
      assert.equal((await p.model.vclusters(user.contextName)).restricted, true);
      const changes = () =>
        new Promise<void>((resolve) => {
          const d = p.model.onDidChange((e) => {
            if (e.scope === 'context') {
              d.dispose();
              resolve();
            }
          });
        });
      let changed = changes();
      await host.rest.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/team`, { metadata: { annotations: { 'loft.sh/paused': 'true' } } });
      await changed;
      assert.equal(p.model.watchError(contextKey(user.contextName)), undefined, 'the namespace watches are allowed');
      const status = async (name: string) =>
        (await p.model.vclusters(user.contextName)).namespaces.flatMap((n) => n.vclusters).find((v) => v.ref.name === name)?.status;
      await waitFor('the pause to arrive through the watch', async () => (await status('team')) === 'Paused', 20_000);
      changed = changes();
      await addVCluster(world, { name: 'late', namespace: ns, access: 'none' });
      await changed;
      await waitFor('the new vcluster to arrive through the watch', async () => (await status('late')) === 'Running', 20_000);
    });

    it('what it may do, as the extension reports it, matches `kubectl auth can-i` for every permission', async function () {
      this.timeout(300_000);
      const summary = await p.model.permissions(user.contextName, ns);
      assert.equal(summary.user, user.username, 'the user as `kubectl auth whoami` names it');
      assert.deepEqual(
        summary.actions.map((a) => a.action),
        [...SUMMARY_ACTIONS],
      );
      const all = summary.actions.flatMap((a) =>
        requirements(a.action, ns).map((perm) => ({
          action: a.action,
          perm,
          ours: !a.missing.some((m) => describePermission(m) === describePermission(perm) && m.name === perm.name),
        })),
      );
      const kubectl = await inBatches(all, 8, (x) => canI(user, x.perm));
      const differences = all.filter((x, i) => x.ours !== kubectl[i]).map((x) => `${x.action}: ${describePermission(x.perm)} ours=${x.ours}`);
      assert.deepEqual(differences, []);
      for (const a of summary.actions) assert.equal(a.allowed, a.missing.length === 0);
      const allowed = Object.fromEntries(summary.actions.map((a) => [a.action, a.allowed]));
      assert.deepEqual(allowed, { list: true, connect: true, pause: true, resume: true, upgrade: false, delete: false, create: false });
    });

    it('a refused delete names the missing permission: the pre-check, the API server, and the real vcluster CLI', async () => {
      const review = await p.model.accessReview(user.contextName);
      const missing = await review.missing(requirements('delete', ns, { kind: 'StatefulSet' }));
      assert.ok(
        missing.some((m) => m.verb === 'delete' && m.resource === 'statefulsets' && m.group === 'apps' && m.namespace === ns),
        describeMissing(missing),
      );
      assert.match(describeMissing(missing, 20), new RegExp(`(^|, )delete statefulsets\\.apps, .* in namespace ${ns}$`));

      // Refused anyway (without the pre-check): the API server's 403 names verb, resource, namespace and user.
      const client = new KubeClient(connectionSpecFor(await loadKubeconfig([user.kubeconfigPath]), user.contextName));
      try {
        const err = await client.request('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/held`).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof KubeError && err.kind === 'forbidden', String(err));
        assert.deepEqual(err.denial, { user: user.username, verb: 'delete', resource: 'statefulsets', group: 'apps', namespace: ns });
        assert.equal(describePermission(err.denial), `delete statefulsets.apps in namespace ${ns}`);
      } finally {
        client.dispose();
      }
      assert.ok(await host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/statefulsets/held`), 'nothing was deleted');

      // The real CLI, as the extension runs it: its failure quotes the API server, and we name the permission from it.
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-tenant-cli-'));
      try {
        const r = await runProgram(toolPath('vcluster'), deleteArgs('held', ns, user.contextName), {
          cwd: home,
          env: { PATH: [path.dirname(toolPath('helm')), process.env.PATH ?? ''].join(path.delimiter), HOME: home, KUBECONFIG: user.kubeconfigPath },
          timeoutMs: 120_000,
          allowFailure: true,
        });
        assert.notEqual(r.code, 0, 'the CLI must fail');
        const denial = parseDenial((r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, ''));
        assert.ok(denial, `no refused request in the CLI output:\n${r.stdout}${r.stderr}`);
        assert.equal(denial.user, user.username);
        assert.equal(denial.namespace, ns);
        assert.ok(
          missing.some((m) => m.verb === denial.verb && m.resource === denial.resource && m.group === denial.group),
          `the CLI was refused ${describePermission(denial)}, which the pre-check did not name`,
        );
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
      assert.ok(await host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/statefulsets/held`), 'the vcluster is still there');
    });

    it('"Set the context\'s namespace" writes what `kubectl config set-context --current --namespace` writes, and discovery then searches it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-tenant-ns-'));
      try {
        const ours = path.join(dir, 'ours');
        const theirs = path.join(dir, 'theirs');
        fs.copyFileSync(user.kubeconfigPath, ours);
        fs.copyFileSync(user.kubeconfigPath, theirs);
        const result = await new KubeconfigWriter({ files: [ours], lockLingerMs: 0 }).setContextNamespace(user.contextName, ns);
        assert.equal(result.changed, true);
        await runProgram(toolPath('kubectl'), ['--kubeconfig', theirs, 'config', 'set-context', '--current', '--namespace', ns], {
          env: { PATH: process.env.PATH ?? '', HOME: dir },
          timeoutMs: 30_000,
        });
        const contexts = (f: string) => (YAML.parse(fs.readFileSync(f, 'utf8')) as { contexts: unknown[] }).contexts;
        assert.deepEqual(contexts(ours), contexts(theirs));
        const view = await runProgram(toolPath('kubectl'), ['--kubeconfig', ours, 'config', 'view', '--minify', '-o', 'jsonpath={..namespace}'], {
          env: { PATH: process.env.PATH ?? '', HOME: dir },
          timeoutMs: 30_000,
        });
        assert.equal(view.stdout.trim(), ns, 'kubectl reads the namespace we wrote');

        const q = productModel([ours], { searchNamespaces: () => [] });
        try {
          const found = await q.model.vclusters(user.contextName, true);
          assert.equal(found.restricted, true);
          assert.deepEqual(found.searchedNamespaces, [ns]);
          assert.ok(found.namespaces.some((n) => n.name === ns && n.vclusters.some((v) => v.ref.name === 'held')));
        } finally {
          q.dispose();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('a tenant creates and deletes a vcluster with the real vcluster CLI and Helm', function () {
  this.timeout(300_000);
  let host: HostCluster;
  let user: TenantUser;
  let reader: TenantUser;
  let home: string;
  let chartDir: string;
  let env: NodeJS.ProcessEnv;
  const ns = uniqueNamespace('tenant-make');
  const name = 'mine';
  let p: ProductModel;

  before(async () => {
    host = await getHost();
    // Exactly the permissions the extension says create and delete need (and reading vclusters): no more.
    const needed = [...requirements('list', ns), ...requirements('create', ns), ...requirements('delete', ns)];
    const rules = needed.map((x) => ({ apiGroups: [x.group], resources: [x.resource], verbs: [x.verb] }));
    user = await createTenantUser(host, ns, { name: 'builder', credential: 'serviceAccountToken', rules });
    reader = await createTenantUser(host, ns, { name: 'reader', credential: 'clientCertificate' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-tenant-make-'));
    chartDir = stampChart(await vclusterChartDir(), path.join(home, 'charts'), versions.vcluster.replace(/^v/, ''));
    env = { PATH: [path.dirname(toolPath('helm')), process.env.PATH ?? ''].join(path.delimiter), HOME: home, KUBECONFIG: user.kubeconfigPath };
    p = productModel([user.kubeconfigPath, reader.kubeconfigPath], { searchNamespaces: () => [ns] });
  });
  after(() => {
    p?.dispose();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runProgram(toolPath('vcluster'), args, { cwd: home, env, timeoutMs: 180_000, allowFailure: true });
  /** Offline: the chart from the vcluster Go module (stamped with the CLI's version), no platform. */
  const offlineArgs = () => ['--local-chart-dir', chartDir, '--add=false'];

  it('the pre-check: a reader is told which permissions create needs; the builder lacks none but may not create namespaces', async () => {
    const readerReview = await p.model.accessReview(reader.contextName);
    const readerMissing = await readerReview.missing(requirements('create', ns));
    assert.ok(
      readerMissing.some((m) => m.verb === 'create' && m.resource === 'statefulsets' && m.group === 'apps'),
      describeMissing(readerMissing),
    );
    for (const m of readerMissing.slice(0, 10)) assert.equal(await canI(reader, m), false, `kubectl says the reader may ${describePermission(m)}`);

    const review = await p.model.accessReview(user.contextName);
    assert.deepEqual(await review.missing(requirements('create', ns)), []);
    assert.equal(await review.can({ verb: 'create', group: '', resource: 'namespaces' }), false);
    assert.equal(await canI(user, { verb: 'create', group: '', resource: 'namespaces' }), false);
  });

  it('in a terminal, `vcluster create -n NS` fails for a tenant: Helm is told to create the namespace, which it may not', async () => {
    const r = await cli(['create', name, '--namespace', ns, '--context', user.contextName, '--connect=false', ...offlineArgs()]);
    assert.notEqual(r.code, 0);
    const denial = parseDenial((r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, ''));
    assert.deepEqual(denial && { verb: denial.verb, resource: denial.resource, namespace: denial.namespace }, {
      verb: 'create',
      resource: 'namespaces',
      namespace: undefined,
    });
    assert.equal(await host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`), undefined, 'nothing was installed');
  });

  it('creates it with the arguments the extension passes (--create-namespace=false), and discovery through the search finds it', async () => {
    const args = createArgs({ name, namespace: ns, context: user.contextName, extraArgs: ['--create-namespace=false', ...offlineArgs()] });
    const r = await cli(args);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /Successfully created virtual cluster/);
    const pod = await waitFor<KObject>(
      'the statefulset controller to create the pod',
      () => host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/pods/${name}-0`),
      60_000,
    );
    await host.rest.patch(`/api/v1/namespaces/${ns}/pods/${name}-0/status`, { status: podStatusFor('Running', pod) });
    const result = await p.model.vclusters(user.contextName, true);
    assert.equal(result.restricted, true);
    const v = result.namespaces.flatMap((n) => n.vclusters).find((x) => x.ref.name === name);
    assert.equal(v?.status, 'Running');
    assert.equal(v?.version, versions.vcluster.replace(/^v/, ''));
  });

  it('deletes it with the CLI as the extension runs it, with exactly the permissions the extension names', async () => {
    const r = await cli(deleteArgs(name, ns, user.contextName));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(await host.rest.getOrUndefined(`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`), undefined);
    assert.equal(await host.rest.getOrUndefined(`/api/v1/namespaces/${ns}/secrets/sh.helm.release.v1.${name}.v1`), undefined);
  });
});

describe("the demo's restricted context, as README walks through it", function () {
  this.timeout(180_000);
  it('Forbidden without a search; with team-a: dev Running with its nested vcluster; may see and connect, nothing else', async () => {
    const demo = await getDemoWorld();
    const search: string[] = [];
    const p = productModel([demo.restricted.kubeconfigPath], { searchNamespaces: () => search });
    try {
      const err = await p.model.vclusters(demo.restricted.contextName, true).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof DiscoveryForbiddenError);
      assert.equal(err.clusterWide?.user, 'restricted-dev');
      search.push('team-a');
      p.model.invalidate();
      const result = await p.model.vclusters(demo.restricted.contextName, true);
      const dev = result.namespaces.flatMap((n) => n.vclusters).find((v) => v.ref.name === 'dev');
      assert.equal(dev?.status, 'Running');
      const nested = (await p.model.nested(dev.ref)).namespaces.flatMap((n) => n.vclusters).map((v) => v.ref.name);
      assert.deepEqual(nested, ['inner']);
      const summary = await p.model.permissions(demo.restricted.contextName, 'team-a');
      assert.deepEqual(Object.fromEntries(summary.actions.map((a) => [a.action, a.allowed])), {
        list: true,
        connect: true,
        pause: false,
        resume: false,
        upgrade: false,
        delete: false,
        create: false,
      });
      assert.ok(summary.actions.find((a) => a.action === 'pause')!.missing.some((m) => m.verb === 'patch' && m.resource === 'statefulsets'));
    } finally {
      p.dispose();
    }
  });
});
