import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { KubeClient } from '../../src/kube/client';
import { KubeError } from '../../src/kube/errors';
import { openExec, runInPod } from '../../src/kube/exec';
import { streamLogs } from '../../src/kube/logs';
import { TunnelManager } from '../../src/kube/tunnel';
import { UserFacingError } from '../../src/shared/errors';
import type { VClusterRef } from '../../src/shared/model';
import { InsideVClusters, type ObjectTarget } from '../../src/vcluster/inside';
import { pauseVCluster } from '../../src/vcluster/lifecycle';
import { type RealCluster } from '../harness/node/node';
import { applyObjects, createRealVCluster, sampleApp, type RealVCluster } from '../harness/node/realVCluster';
import { httpGetLocal, waitFor, type KObject } from '../harness/cluster/rest';
import { getRealCluster } from './setup';
import { productModel, type ProductModel } from './product';

// Working inside a real vcluster on the real node: the sample application runs in it (test/harness/node/realVCluster.ts),
// and the product lists its workloads, streams a container's log, runs commands in a container with their exit codes,
// forwards local ports to a pod and a service, and writes a private kubeconfig that the real kubectl uses. Every
// request goes to the vcluster's own API server (through the tunnel to its pod), which hands logs, exec and
// port-forward to its syncer, which serves them from the host pod on the node.

const NS = 'real-inside';
const APP_NS = 'shop';
const execFileP = promisify(execFile);

describe('[real vcluster] inside a real vcluster: workloads, logs, exec, port-forward, a private kubeconfig', function () {
  this.timeout(180_000);
  let cluster: RealCluster;
  let vc: RealVCluster;
  let p: ProductModel;
  let inside: InsideVClusters;
  let ref: VClusterRef;
  let webPod: string;
  const pod = (name: string, container?: string): ObjectTarget => ({ ref, kind: 'Pod', namespace: APP_NS, name, ...(container ? { container } : {}) });

  before(async function () {
    this.timeout(1_200_000);
    cluster = await getRealCluster();
    vc = await createRealVCluster(cluster, { name: 'inside', namespace: NS });
    const v = await vc.virtual();
    const app = sampleApp(cluster.node.images.busybox.ref, APP_NS).filter((o) => o.kind !== 'PersistentVolumeClaim');
    await applyObjects(v.rest, app);
    await waitFor(
      'the sample application to run on the node',
      async () => {
        const pods = (await v.rest.get(`/api/v1/namespaces/${APP_NS}/pods`)).items as KObject[];
        return pods.length === 2 && pods.every((x) => x.status?.phase === 'Running' && x.status.containerStatuses?.every((c: KObject) => c.ready));
      },
      180_000,
      1000,
    );
    webPod = ((await v.rest.get(`/api/v1/namespaces/${APP_NS}/pods?labelSelector=app%3Dweb`)).items as KObject[])[0]!.metadata.name;
    p = productModel([cluster.host.kubeconfigPath]);
    await p.model.reloadKubeconfig();
    inside = new InsideVClusters(p.model, p.tunnels);
    ref = { context: cluster.host.contextName, namespace: NS, name: 'inside' };
  });

  after(async function () {
    this.timeout(180_000);
    inside?.dispose();
    p?.dispose();
    if (vc) await vc.cli(['delete', 'inside', '--namespace', NS]).catch(() => undefined);
  });

  describe("the tree's data", function () {
    it("lists the virtual namespaces with the user's before the system ones", async function () {
      const names = (await inside.namespaces(ref)).map((n) => `${n.name}${n.system ? ' (system)' : ''}`);
      assert.ok(names.indexOf(APP_NS) >= 0 && names.indexOf(APP_NS) < names.indexOf('kube-system (system)'), names.join(', '));
      assert.ok(names.includes('default'));
    });

    it("lists pods with kubectl's status and ready count, and the host pod each became (which exists on the node)", async function () {
      const pods = await inside.resources(ref, { namespace: APP_NS, kind: 'Pod' });
      assert.deepEqual(pods.map((x) => x.name).sort(), [webPod, 'web-worker'].sort());
      const worker = pods.find((x) => x.name === 'web-worker')!;
      assert.deepEqual([worker.status, worker.ready, worker.containers], ['Running', '1/1', ['worker']]);
      assert.equal(worker.host?.namespace, NS);
      const hostPod = await cluster.host.rest.get(`/api/v1/namespaces/${NS}/pods/${worker.host!.name}`);
      assert.equal(hostPod.metadata.annotations['vcluster.loft.sh/object-name'], 'web-worker');
      assert.equal(hostPod.spec.nodeName, cluster.node.name);
    });

    it('lists deployments with ready replicas, services with their ports, config maps as metadata, and pages', async function () {
      const [deploy] = await inside.resources(ref, { namespace: APP_NS, kind: 'deployments' });
      assert.deepEqual([deploy?.name, deploy?.status, deploy?.ready], ['web', 'Ready', '1/1']);
      const [svc] = await inside.resources(ref, { namespace: APP_NS, kind: 'Service' });
      assert.deepEqual([svc?.name, svc?.status, svc?.ports?.map((x) => x.port)], ['web', 'ClusterIP', [80]]);
      assert.ok(await cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/services/${svc!.host!.name}`), 'the host service exists');
      const cms = await inside.resources(ref, { namespace: APP_NS, kind: 'ConfigMap' });
      assert.ok(cms.some((c) => c.name === 'web-config') && cms.every((c) => !('data' in c)));
      const page = await inside.resourcePage(ref, { namespace: APP_NS, kind: 'ConfigMap', limit: 1 });
      assert.equal(page.items.length, 1);
      assert.ok(page.continue, 'a continue token for the next page');
      const next = await inside.resourcePage(ref, { namespace: APP_NS, kind: 'ConfigMap', limit: 1, continue: page.continue });
      assert.notEqual(next.items[0]?.name, page.items[0]?.name);
      // Any kind the vcluster serves is listed; a Secret as its name only, never its data.
      const secrets = await inside.resources(ref, { namespace: APP_NS, kind: 'Secret' });
      const creds = secrets.find((x) => x.name === 'web-credentials');
      assert.deepEqual([creds?.kind, creds?.namespace], ['Secret', APP_NS]);
      assert.ok(
        secrets.every((x) => !('data' in x) && !('stringData' in x)),
        'no data',
      );
      await assert.rejects(inside.resources(ref, { namespace: APP_NS, kind: 'NoSuchKind' }), UserFacingError);
    });

    it('reads the events of a pod (synced from the host)', async function () {
      const events = await waitFor(
        'events of the worker pod',
        async () => {
          const e = await inside.events(pod('web-worker'));
          return e.length ? e : undefined;
        },
        60_000,
        1000,
      );
      assert.ok(
        events.some((e) => /Scheduled|Pulled|Created|Started/.test(e.reason)),
        JSON.stringify(events),
      );
    });
  });

  describe('logs', function () {
    it('streams the log of a virtual pod as its container writes it, and stops when aborted', async function () {
      const ac = new AbortController();
      let text = '';
      const done = inside.logs(pod('web-worker'), { follow: true, tailLines: 1, signal: ac.signal }, (t) => {
        text += t;
      });
      await waitFor('two new tick lines', async () => (text.match(/web-worker tick/g) ?? []).length >= 2, 30_000, 200);
      ac.abort();
      await assert.rejects(done, (err: KubeError) => err.kind === 'cancelled');
    });

    it('sends the whole log without follow, with tail and since, and for a chosen container', async function () {
      let all = '';
      await inside.logs(pod(webPod, 'app'), {}, (t) => {
        all += t;
      });
      assert.match(all, /web started with 19 bytes of password\nweb log line 0\n/);
      let tail = '';
      await inside.logs(pod(webPod), { tailLines: 1 }, (t) => {
        tail += t;
      });
      assert.equal(tail.split('\n').filter(Boolean).length, 1, tail);
      let since = '';
      await inside.logs(pod(webPod), { sinceSeconds: 3 }, (t) => {
        since += t;
      });
      assert.ok(since.split('\n').filter(Boolean).length <= 3, since);
    });

    it('says what is wrong: an unknown container, a pod that is gone, options that do not fit', async function () {
      await assert.rejects(
        inside.logs(pod(webPod, 'nope'), {}, () => undefined),
        (err: KubeError) => err.kind === 'invalid' && /container nope is not valid/.test(err.message),
      );
      await assert.rejects(
        inside.logs(pod('no-such-pod'), {}, () => undefined),
        (err: KubeError) => err.kind === 'notFound',
      );
      await assert.rejects(
        inside.logs(pod(webPod), { follow: true, previous: true }, () => undefined),
        /cannot be followed/,
      );
      await assert.rejects(
        inside.logs(pod(webPod), { previous: true }, () => undefined),
        (err: KubeError) => err.kind === 'invalid' && /previous terminated container/.test(err.message),
      );
    });

    it("streams the log of the vcluster's own control plane (its syncer) from the host", async function () {
      const pods = await inside.controlPlanePods(ref);
      assert.deepEqual(
        pods.map((x) => [x.name, x.status]),
        [['inside-0', 'Running']],
      );
      let text = '';
      await inside.controlPlaneLogs(ref, { tailLines: 50 }, (t) => {
        text += t;
      });
      assert.ok(text.split('\n').filter(Boolean).length > 0, 'the syncer logged something');
    });
  });

  describe('exec', function () {
    it('runs a command with its output and exit code over v5.channel.k8s.io', async function () {
      const client = (await p.model.reach(ref)).client;
      const r = await runInPod(client, {
        namespace: APP_NS,
        pod: 'web-worker',
        command: ['sh', '-c', 'echo out; echo err >&2; cat /proc/1/cmdline | tr "\\0" " "; exit 7'],
      });
      assert.equal(r.reason, 'exited');
      assert.equal(r.exitCode, 7);
      assert.match(r.stdout, /^out\n\/bin\/sh -c while true/);
      assert.equal(r.stderr, 'err\n');
      const s = await openExec(client, { namespace: APP_NS, pod: 'web-worker', command: ['true'] });
      assert.equal(s.protocol, 'v5.channel.k8s.io');
      assert.deepEqual(await s.done, { reason: 'exited', exitCode: 0 });
    });

    it('passes stdin and closes it (v5), and falls back to v4 when only v4 is offered', async function () {
      const client = (await p.model.reach(ref)).client;
      const r = await runInPod(client, { namespace: APP_NS, pod: 'web-worker', command: ['sh', '-c', 'tr a-z A-Z; exit 3'], input: 'hello vcluster\n' });
      assert.deepEqual([r.stdout, r.exitCode], ['HELLO VCLUSTER\n', 3]);
      let out = '';
      const s = await openExec(client, {
        namespace: APP_NS,
        pod: 'web-worker',
        command: ['sh', '-c', 'echo v4; exit 4'],
        protocols: ['v4.channel.k8s.io'],
        onStdout: (d) => {
          out += d.toString();
        },
      });
      assert.equal(s.protocol, 'v4.channel.k8s.io');
      assert.deepEqual(await s.done, {
        reason: 'exited',
        exitCode: 4,
        message: 'command terminated with non-zero exit code: error executing command [sh -c echo v4; exit 4], exit code 4',
      });
      assert.equal(out, 'v4\n');
    });

    it("gives a terminal that follows resize and ends with the shell's exit code", async function () {
      let out = '';
      const s = await inside.exec(pod('web-worker'), {
        command: ['/bin/sh'],
        tty: true,
        stdin: true,
        onStdout: (d) => {
          out += d.toString();
        },
      });
      s.resize(101, 33);
      s.write('stty size; exit 5\n');
      const r = await s.done;
      assert.equal(r.exitCode, 5, JSON.stringify(r));
      assert.match(out, /33 101/);
    });

    it('says what is wrong: no such program, no such container, a pod that is gone; close() ends a running command', async function () {
      const client = (await p.model.reach(ref)).client;
      const r = await runInPod(client, { namespace: APP_NS, pod: 'web-worker', command: ['/bin/no-such-shell'] });
      assert.equal(r.reason, 'failed');
      assert.match(r.message ?? '', /no-such-shell|not found|no such file/i);
      await assert.rejects(inside.exec(pod('web-worker', 'nope'), { command: ['true'] }), (err: KubeError) =>
        /container nope is not valid|not found/i.test(err.message),
      );
      await assert.rejects(inside.exec(pod('no-such-pod'), { command: ['true'] }), /does not exist/);
      const s = await inside.exec(pod('web-worker'), { command: ['sleep', '60'] });
      s.close();
      assert.equal((await s.done).reason, 'closed');
    });
  });

  describe('port-forward', function () {
    it('forwards a local port to a pod port and to a service port, which answer through the node', async function () {
      const a = await inside.portForward(pod(webPod), 8080);
      assert.deepEqual(await httpGetLocal(a.localPort), { status: 200, body: 'hello from the web config map\n' });
      const b = await inside.portForward({ ref, kind: 'Service', namespace: APP_NS, name: 'web' }, 80);
      assert.deepEqual([b.pod, b.podPort], [webPod, 8080]);
      assert.deepEqual(await httpGetLocal(b.localPort), { status: 200, body: 'hello from the web config map\n' });
      assert.deepEqual(
        inside.listForwards().map((f) => [f.target.kind, f.port, f.localPort]),
        [
          ['Pod', 8080, a.localPort],
          ['Service', 80, b.localPort],
        ],
      );
      // Kept while idle (Connect's unpinned tunnels close after five idle minutes).
      assert.equal(p.tunnels.closeIdle(60_000, Date.now() + 3_600_000), 0);
      assert.equal(inside.stopForward(a.id), true);
      await assert.rejects(httpGetLocal(a.localPort), /ECONNREFUSED/);
      const again = await inside.restartForward(b.id);
      assert.equal(again.localPort, b.localPort);
      assert.equal((await httpGetLocal(again.localPort)).status, 200);
      inside.stopForward(again.id);
      assert.deepEqual(inside.listForwards(), []);
    });

    it('says what is wrong: a busy local port, a service port that does not exist, a kind that has no ports', async function () {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      try {
        const busy = (blocker.address() as AddressInfo).port;
        await assert.rejects(inside.portForward(pod(webPod), 8080, busy), new RegExp(`Local port ${busy} is already in use`));
      } finally {
        blocker.close();
      }
      await assert.rejects(inside.portForward({ ref, kind: 'Service', namespace: APP_NS, name: 'web' }, 81), /has no port 81 \(it has 80\)/);
      await assert.rejects(inside.portForward({ ref, kind: 'ConfigMap', namespace: APP_NS, name: 'web-config' }, 80), /neither/);
      await assert.rejects(inside.portForward(pod('no-such-pod'), 80), /does not exist/);
      assert.deepEqual(await inside.forwardablePorts(pod(webPod)), [{ port: 8080, label: '8080 (http) · container app' }]);
      assert.deepEqual(inside.listForwards(), []);
    });
  });

  describe('a private kubeconfig for a terminal', function () {
    it('is 0600 in a directory of its own, reaches the vcluster with the real kubectl, and is removed with its tunnel hold', async function () {
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-storage-'));
      try {
        const k = await inside.privateKubeconfig(ref, path.join(storage, 'terminal-kubeconfigs'));
        try {
          assert.ok(k.file.startsWith(path.join(storage, 'terminal-kubeconfigs') + path.sep), k.file);
          assert.equal(fs.statSync(k.file).mode & 0o777, 0o600);
          assert.equal(fs.statSync(path.dirname(k.file)).mode & 0o777, 0o700);
          // The tunnel's own address, and the name vcluster's serving certificate was issued for.
          const written = YAML.parse(fs.readFileSync(k.file, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
          assert.match(String(written.clusters[0]!.cluster.server), /^https:\/\/127\.0\.0\.1:\d+$/);
          assert.equal(written.clusters[0]!.cluster['tls-server-name'], 'localhost');
          const { stdout } = await execFileP(cluster.tools.kubectl, ['get', 'pods', '--namespace', APP_NS, '--output', 'name'], {
            env: { ...process.env, KUBECONFIG: k.file, HOME: '/nonexistent' },
            timeout: 30_000,
          });
          assert.deepEqual(stdout.trim().split('\n').sort(), [`pod/${webPod}`, 'pod/web-worker'].sort());
          assert.equal(p.tunnels.closeIdle(60_000, Date.now() + 3_600_000), 0, 'its tunnel is held while the terminal is open');
        } finally {
          k.remove();
        }
        assert.equal(fs.existsSync(k.file), false);
        assert.equal(fs.existsSync(path.dirname(k.file)), false);
      } finally {
        fs.rmSync(storage, { recursive: true, force: true });
      }
    });
  });

  describe('a user of the virtual cluster whose RBAC allows reading pods but not their logs or exec', function () {
    it('gets the refused request named (verb, resource, namespace, user) for logs, exec and port-forward', async function () {
      const v = await vc.virtual();
      const sa = 'viewer';
      await v.rest.ensure(`/api/v1/namespaces/${APP_NS}/serviceaccounts`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: sa, namespace: APP_NS },
      });
      await v.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${APP_NS}/roles`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: sa, namespace: APP_NS },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      });
      await v.rest.ensure(`/apis/rbac.authorization.k8s.io/v1/namespaces/${APP_NS}/rolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: sa, namespace: APP_NS },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: APP_NS }],
      });
      const token = (
        await v.rest.create(`/api/v1/namespaces/${APP_NS}/serviceaccounts/${sa}/token`, {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        })
      ).status.token as string;
      const admin = (await p.model.reach(ref)).client;
      const viewer = new KubeClient({ ...admin.spec, userName: 'viewer', user: { token } });
      const tunnels = new TunnelManager();
      try {
        const user = `system:serviceaccount:${APP_NS}:${sa}`;
        await viewer.get(`/api/v1/namespaces/${APP_NS}/pods/web-worker`);
        await assert.rejects(
          streamLogs(viewer, APP_NS, 'web-worker', {}, () => undefined),
          (err: KubeError) => {
            assert.equal(err.kind, 'forbidden');
            assert.deepEqual(err.denial, { user, verb: 'get', resource: 'pods/log', group: '', namespace: APP_NS });
            return true;
          },
        );
        await assert.rejects(openExec(viewer, { namespace: APP_NS, pod: 'web-worker', command: ['true'] }), (err: KubeError) => {
          assert.equal(err.kind, 'forbidden');
          // A WebSocket exec is an HTTP GET upgrade, which kube-apiserver v1.34 authorizes as verb "get" (kubectl's
          // SPDY exec is a POST: "create").
          assert.deepEqual(err.denial, { user, verb: 'get', resource: 'pods/exec', group: '', namespace: APP_NS });
          return true;
        });
        const port = await tunnels.open(viewer, APP_NS, webPod, 8080);
        await assert.rejects(httpGetLocal(port));
        await waitFor('the port-forward to record the refusal', async () => tunnels.list()[0]?.lastError, 10_000, 50);
        assert.match(tunnels.list()[0]!.lastError!, /HTTP 403 to the port-forward: .*cannot get resource "pods\/portforward"/);
      } finally {
        tunnels.dispose();
        viewer.dispose();
      }
    });
  });

  describe('when the vcluster stops underneath (the last tests: it stays paused)', function () {
    it('a followed log, a running command and a port-forward each end with a reason instead of hanging', async function () {
      const ac = new AbortController();
      let text = '';
      const log = inside
        .logs(pod('web-worker'), { follow: true, tailLines: 1, signal: ac.signal }, (t) => {
          text += t;
        })
        .then(
          () => 'ended',
          (err: KubeError) => `${err.kind}: ${err.message}`,
        );
      await waitFor('the log to stream', async () => text.includes('web-worker tick'), 30_000, 200);
      const session = await inside.exec(pod('web-worker'), { command: ['sleep', '600'] });
      const f = await inside.portForward(pod(webPod), 8080);
      assert.equal((await httpGetLocal(f.localPort)).status, 200);

      await pauseVCluster(p.model.client(cluster.host.contextName), NS, 'inside', { waitMs: 120_000 });
      await waitFor(
        'the control-plane pod to go',
        async () => (await cluster.host.rest.getOrUndefined(`/api/v1/namespaces/${NS}/pods/inside-0`)) === undefined,
        120_000,
        500,
      );

      const logEnd = await Promise.race([log, new Promise((r) => setTimeout(() => r('still streaming'), 60_000))]);
      assert.notEqual(logEnd, 'still streaming');
      assert.doesNotMatch(String(logEnd), /^cancelled/);
      const execEnd = await Promise.race([session.done, new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
      assert.notEqual(execEnd, 'still running');
      assert.notEqual((execEnd as { reason: string }).reason, 'closed');
      await assert.rejects(httpGetLocal(f.localPort, 30_000));
      await waitFor('the port-forward to show why it is broken', async () => inside.listForwards().find((x) => x.id === f.id)?.lastError, 30_000, 200);
      inside.stopForward(f.id);
    });
  });
});
