// Never keep a vcluster awake: vcluster's sleep mode counts requests to the virtual API server as activity. Here the
// virtual API server is a real kube-apiserver with an audit log (every request it receives, who sent it, with which
// User-Agent), and the product's model does what the tree does on expand and collapse. While the vcluster is
// collapsed — and while the host side is read, discovered, watched and described — the audit log must show no request
// at all; collapsing must end the watches within seconds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { makeKubeconfig } from '../harness/cluster/apiServer';
import type { HostCluster, VirtualControlPlane } from '../harness/cluster/controlPlane';
import { buildWorld } from '../harness/worlds/worlds';
import { KubeClient } from '../../src/kube/client';
import { fetchDetails } from '../../src/vcluster/describeRead';
import type { VClusterRef } from '../../src/shared/model';
import { productModel, type ProductModel } from './product';
import { getHost, uniqueNamespace } from './setup';

interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  userAgent?: string;
  user: { username: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

const ms = (t: string) => Date.parse(t.replace(/(\.\d{3})\d*Z$/, '$1Z'));
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

describe('never keep a vcluster awake (audit log of its real API server)', function () {
  this.timeout(180_000);
  let host: HostCluster;
  let virtual: VirtualControlPlane;
  let p: ProductModel;
  let dir: string;
  let auditLog: string;
  let ref: VClusterRef;
  const ns = uniqueNamespace('awake');
  const name = 'dozy';

  /** Requests the virtual API server received (one entry per request), except its own loopback calls. */
  function requests(): AuditEvent[] {
    const text = fs.existsSync(auditLog) ? fs.readFileSync(auditLog, 'utf8') : '';
    const byId = new Map<string, AuditEvent>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as AuditEvent;
      if (e.user.username === 'system:apiserver') continue;
      if (!byId.has(e.auditID) || e.stage === 'ResponseComplete') byId.set(e.auditID, e);
    }
    return [...byId.values()];
  }

  function stages(auditID: string): AuditEvent[] {
    return fs
      .readFileSync(auditLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.auditID === auditID);
  }

  before(async () => {
    host = await getHost();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-awake-'));
    auditLog = path.join(dir, 'audit.log');
    const policy = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: ["RequestReceived"]\nrules:\n  - level: Metadata\n');
    // The vcluster's layout in the host (pod Running), and its API server: a kube-apiserver that audits every request.
    await buildWorld(host, [{ name, namespace: ns, access: 'none', kubeconfigSecret: false }]);
    virtual = await host.startVirtual(`${name}-audited`, {
      extraArgs: [`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`, '--audit-log-mode=blocking', '--audit-log-maxbackup=1'],
    });
    // vc-NAME as the syncer writes it, naming that server (exportKubeConfig.server).
    const kc = makeKubeconfig({
      contextName: 'Default',
      clusterName: 'Default',
      userName: 'Default',
      server: virtual.server,
      caPem: virtual.ca.certPem,
      certPem: virtual.admin.certPem,
      keyPem: virtual.admin.keyPem,
    });
    await host.rest.ensure(`/api/v1/namespaces/${ns}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `vc-${name}`, namespace: ns },
      data: { config: Buffer.from(kc).toString('base64') },
    });
    p = productModel([host.kubeconfigPath], { watch: true, debounceMs: 50 });
    ref = { context: host.contextName, namespace: ns, name };
    await sleep(300); // the harness's own requests (readiness, default ServiceAccount) are over
  });

  after(async () => {
    p?.dispose();
    await virtual?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('expanded: discovery and watches reach the virtual API server, identified by the User-Agent', async () => {
    const start = Date.now();
    const hold = p.model.hold(ref);
    try {
      const result = await p.model.nested(ref);
      assert.deepEqual(result.namespaces, [], 'no vclusters inside');
      await sleep(1500);
      const seen = requests().filter((e) => ms(e.requestReceivedTimestamp) >= start);
      assert.ok(seen.length >= 4, `the lists and watches of nested discovery (${seen.length})`);
      assert.deepEqual(
        [...new Set(seen.map((e) => e.userAgent))],
        ['vcluster-explorer'],
        JSON.stringify(seen.filter((e) => e.userAgent !== 'vcluster-explorer')),
      );
      assert.ok(
        seen.some((e) => e.verb === 'watch'),
        'watches run while expanded',
      );
    } finally {
      hold.dispose();
      p.model.collapse(ref);
    }
  });

  it('collapsed: the watches end within seconds, and then no request at all while the host side is used', async () => {
    // Expand again, then collapse as the tree does, and measure from there.
    const start = Date.now();
    const hold = p.model.hold(ref);
    try {
      await p.model.nested(ref);
      await sleep(1000);
    } finally {
      hold.dispose();
      p.model.collapse(ref);
    }
    const watches = requests().filter((e) => e.verb === 'watch' && ms(e.requestReceivedTimestamp) >= start);
    assert.ok(watches.length > 0);
    const collapsedAt = Date.now();
    assert.deepEqual(p.model.openVirtualClients(), [], 'the virtual client is closed');

    // The host side goes on: discovery (with its watches), describe, the host's own objects.
    const hostDiscovery = await p.model.vclusters(host.contextName, true);
    assert.ok(hostDiscovery.namespaces.some((n) => n.name === ns));
    const doc = parseYaml(host.kubeconfig) as {
      clusters: { name: string; cluster: Record<string, unknown> }[];
      users: { name: string; user: Record<string, unknown> }[];
    };
    const hostClient = new KubeClient({
      contextName: host.contextName,
      clusterName: doc.clusters[0]!.name,
      cluster: doc.clusters[0]!.cluster,
      userName: doc.users[0]!.name,
      user: doc.users[0]!.user,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const d = await fetchDetails(hostClient, ref, { contexts: [] });
        assert.equal(d.status, 'Running');
        await sleep(3000);
      }
    } finally {
      hostClient.dispose();
    }
    await sleep(3000);

    for (const w of watches) {
      const done = stages(w.auditID).find((e) => e.stage === 'ResponseComplete');
      assert.ok(done, `watch ${w.requestURI} ended`);
      assert.ok(ms(done.stageTimestamp) - collapsedAt < 3000, `watch ${w.requestURI} ended ${ms(done.stageTimestamp) - collapsedAt} ms after the collapse`);
    }
    const after = requests().filter((e) => ms(e.requestReceivedTimestamp) >= collapsedAt - 100);
    assert.deepEqual(
      after.map((e) => `${e.verb} ${e.requestURI} (${e.userAgent})`),
      [],
      `no request into the virtual cluster during ${Date.now() - collapsedAt} ms collapsed`,
    );
  });

  it('a one-off read without a hold leaves nothing behind: no watch, and the client closes when idle', async () => {
    const before = Date.now();
    await p.model.nested(ref);
    assert.ok(
      requests().some((e) => ms(e.requestReceivedTimestamp) >= before - 100 && e.verb === 'list'),
      'it did read',
    );
    assert.equal(p.model.sweep(0), 1, 'the unheld client is closed by the sweep');
    const quiet = Date.now();
    await sleep(4000);
    assert.deepEqual(
      requests().filter((e) => ms(e.requestReceivedTimestamp) >= quiet),
      [],
      'no watch was left running',
    );
  });
});
