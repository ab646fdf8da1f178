import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { toolPath } from '../../scripts/lib/toolchain.mjs';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { UnusableClusterKubeconfigError, chooseEndpoint, readVirtualKubeconfig, virtualKubeconfigEntry } from '../../src/vcluster/access';
import { ALLOWED_CLUSTER_FIELDS, ALLOWED_USER_FIELDS } from '../../src/vcluster/clusterKubeconfig';
import { type AttackVariant, type Canary, attackKubeconfig, makeCanary, plantKubeconfigSecret } from '../harness/worlds/attacks';
import type { HostCluster, VirtualControlPlane } from '../harness/cluster/controlPlane';
import { runProgram } from '../harness/cluster/processes';
import { type BuiltVCluster, buildWorld } from '../harness/worlds/worlds';
import { productModel, type ProductModel } from './product';
import { getHost, uniqueNamespace } from './setup';

// A tenant's vc-NAME secret that names a program or a private file (test/harness/worlds/attacks.ts), on the real control
// plane: kubectl, the oracle, shows that the attack is real (it runs the program and sends the file's content as a
// token); the product's model browses and lists through it and Connect's entry works in kubectl, and nothing runs and
// nothing is read. The vclusters are fixtures: what is under test is the crafted secret, which a tenant writes
// whatever runs behind it.

describe('kubeconfigs from a cluster are data, never code (real control plane)', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let target: VirtualControlPlane;
  let canary: Canary;
  let p: ProductModel;
  let dir: string;
  const vcs = new Map<AttackVariant, BuiltVCluster>();
  const tenant = uniqueNamespace('tenant');
  const ref = (variant: AttackVariant) => ({ context: host.contextName, namespace: tenant, name: vcs.get(variant)!.name });

  before(async () => {
    host = await getHost();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-attack-'));
    // The server the secrets aim at: a real virtual API server (of a vcluster in another namespace).
    const world = await buildWorld(host, [
      { name: 'target', namespace: uniqueNamespace('target') },
      { name: 'trojan', namespace: tenant, access: 'none' },
      { name: 'by-exec', namespace: tenant, access: 'none' },
      { name: 'by-auth-provider', namespace: tenant, access: 'none' },
      { name: 'by-token-file', namespace: tenant, access: 'none' },
    ]);
    target = world.find('target').virtual!;
    canary = makeCanary(path.join(dir, 'user-home'), target.token);
    const names: Record<AttackVariant, string> = { trojan: 'trojan', exec: 'by-exec', authProvider: 'by-auth-provider', tokenFile: 'by-token-file' };
    for (const [variant, name] of Object.entries(names) as [AttackVariant, string][]) {
      const vc = world.find(name, tenant);
      await plantKubeconfigSecret(vc, attackKubeconfig(variant, target, canary));
      vcs.set(variant, vc);
    }
    p = productModel([host.kubeconfigPath]);
  });
  after(() => {
    p?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (args: string[]) =>
    runProgram(toolPath('kubectl'), args, { allowFailure: true, timeoutMs: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir } });

  it('the attack is real: kubectl with the planted kubeconfig runs the program and authenticates with the private file', async () => {
    const exec = path.join(dir, 'planted-exec.yaml');
    fs.writeFileSync(exec, attackKubeconfig('exec', target, canary), { mode: 0o600 });
    const r1 = await kubectl(['--kubeconfig', exec, 'get', 'namespace', 'default', '-o', 'name']);
    assert.equal(r1.stdout.trim(), 'namespace/default', r1.stderr);
    assert.equal(canary.runs().length, 1, 'kubectl ran the program');
    const file = path.join(dir, 'planted-token-file.yaml');
    fs.writeFileSync(file, attackKubeconfig('tokenFile', target, canary), { mode: 0o600 });
    const r2 = await kubectl(['--kubeconfig', file, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(r2.stdout.trim(), 'kubernetes-admin', `kubectl authenticated with the file's content: ${r2.stderr}`);
    fs.rmSync(canary.marker);
  });

  it('browsing and listing through the trojan runs nothing and reads nothing; its inline certificate works', async () => {
    const result = await p.model.nested(ref('trojan'));
    assert.equal(result.restricted, false, 'the virtual API server answered as kubernetes-admin (the inline certificate)');
    assert.deepEqual(canary.runs(), []);
    assert.deepEqual(p.model.ignoredKubeconfigFields(ref('trojan')), [
      'cluster.certificate-authority',
      'cluster.extensions',
      'cluster.proxy-url',
      'user.as',
      'user.as-groups',
      'user.auth-provider',
      'user.client-certificate',
      'user.client-key',
      'user.exec',
      'user.password',
      'user.token-file',
      'user.tokenFile',
      'user.username',
    ]);
  });

  for (const variant of ['exec', 'authProvider', 'tokenFile'] as const) {
    it(`a secret whose only credential is ${variant}: nothing is run or read, and the error says there is no usable credential`, async () => {
      await assert.rejects(
        p.model.nested(ref(variant)),
        (e: unknown) =>
          e instanceof UnusableClusterKubeconfigError &&
          /has no credential the extension accepts from a cluster/.test(e.message) &&
          !e.message.includes(canary.privateTokenFile) &&
          !e.message.includes(target.token),
      );
      assert.deepEqual(canary.runs(), []);
      assert.equal(p.model.ignoredKubeconfigFields(ref(variant)).length, 1);
    });
  }

  it('the context Connect writes holds only allow-listed fields, and kubectl uses it without running anything', async () => {
    const hostClient = await p.model.hostClientOf(ref('trojan'));
    const kc = await readVirtualKubeconfig(hostClient, tenant, 'trojan');
    const endpoint = await chooseEndpoint(hostClient, tenant, 'trojan', kc, p.tunnels);
    const contextName = `vcluster_trojan_${tenant}_${host.contextName}`;
    const file = path.join(dir, 'user-kubeconfig');
    fs.copyFileSync(host.kubeconfigPath, file);
    await new KubeconfigWriter({ files: [file] }).upsertContext(virtualKubeconfigEntry(contextName, kc, endpoint), { makeCurrent: false });
    const written = YAML.parse(fs.readFileSync(file, 'utf8')) as {
      clusters: { name: string; cluster: Record<string, unknown> }[];
      users: { name: string; user: Record<string, unknown> }[];
    };
    const cluster = written.clusters.find((c) => c.name === contextName)!.cluster;
    const user = written.users.find((u) => u.name === contextName)!.user;
    assert.deepEqual(
      Object.keys(cluster).filter((k) => !(ALLOWED_CLUSTER_FIELDS as readonly string[]).includes(k)),
      [],
    );
    assert.deepEqual(
      Object.keys(user).filter((k) => !(ALLOWED_USER_FIELDS as readonly string[]).includes(k)),
      [],
    );
    assert.deepEqual(Object.keys(user).sort(), ['client-certificate-data', 'client-key-data']);
    const r = await kubectl(['--kubeconfig', file, '--context', contextName, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(r.stdout.trim(), 'kubernetes-admin', r.stderr);
    assert.deepEqual(canary.runs(), [], 'neither the product nor kubectl ran the program');
  });
});
