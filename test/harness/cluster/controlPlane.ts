// A real Kubernetes control plane for tests and the demo: etcd + kube-apiserver + kube-controller-manager as the
// "host" cluster, and further kube-apiservers acting as the virtual control planes of vclusters (sharing the one etcd
// under their own --etcd-prefix). Everything binds to loopback on free ports inside a temp dir, and every process is
// registered with processes.ts so nothing outlives the test run.
//
// Controllers of the host (deliberate choice): namespace, garbagecollector, serviceaccount, serviceaccount-token,
// statefulset, deployment, replicaset and pvc-protection. So namespaces really delete, owner references really
// collect, and a vcluster StatefulSet gets its pod NAME-0 (and PVC data-NAME-0) from the real statefulset controller,
// exactly as in a cluster; pause (replicas 0) really removes the pod. There is no scheduler and no kubelet: pods stay
// Pending until a fixture patches their status (worlds.ts does, as a kubelet would report it). Endpoint controllers do
// not run, so synced Endpoints objects laid out by fixtures are not overwritten.
//
// Free ports are in ports.ts and what every kube-apiserver of the harness shares (flags, readiness, kubeconfigs) in
// apiServer.ts. startHost() is one ordered start-up: certificates, etcd, API server, controller manager, and clean-up
// on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { versions } from '../../../scripts/lib/toolchain.mjs';
import { apiServerArgs, makeKubeconfig, makeUserKubeconfigFn, ms, requireTool, waitReady, writePrivate, type ApiServerSpec } from './apiServer';
import { createCA, createServiceAccountKeys, issueCert, kubernetesDnsNames, type CA, type CertFiles, type KeyPairFiles } from './certs';
import { freePort } from './ports';
import { removeOnExit, spawnManaged, type ManagedProcess } from './processes';
import { KubeRest, waitFor } from './rest';

export const HOST_CONTROLLERS = [
  'namespace',
  'garbagecollector',
  'serviceaccount',
  'serviceaccount-token',
  'statefulset',
  'deployment',
  'replicaset',
  'pvc-protection',
] as const;

/**
 * Further controllers of a host that runs a real node (forNode): the node lifecycle controller lifts the not-ready
 * taint once the kubelet reports Ready, every namespace gets the kube-root-ca.crt config map that service account token
 * volumes project, claims bind to the volumes the harness provides, and Services with selectors
 * get their Endpoints from the pods that really run, as in any cluster.
 */
export const NODE_HOST_CONTROLLERS = ['nodelifecycle', 'root-ca-cert-publisher', 'persistentvolume-binder', 'endpoint', 'endpointslice'] as const;

/** What every cluster (host or virtual) offers: where it is and how to reach it as an admin. */
export interface ClusterAccess {
  /** Kubeconfig context name. */
  readonly contextName: string;
  /** https://IP:PORT */
  readonly server: string;
  readonly ca: CA;
  readonly admin: CertFiles;
  /** A kubeconfig file with one cluster/user/context (all named contextName), certificates embedded. */
  readonly kubeconfigPath: string;
  /** The same kubeconfig as YAML text. */
  readonly kubeconfig: string;
  /** Admin REST client (the harness's own, not the product's). */
  readonly rest: KubeRest;
  /** Makes a kubeconfig for another user of this cluster (client cert signed by its CA). */
  userKubeconfig(user: string, groups?: readonly string[], contextName?: string): Promise<{ path: string; yaml: string; cert: CertFiles }>;
}

export interface Timings {
  [step: string]: number;
}

export interface HostCluster extends ClusterAccess {
  readonly dir: string;
  readonly etcdUrl: string;
  readonly bindAddress: string;
  readonly port: number;
  readonly apiserverPid: number;
  readonly timings: Timings;
  readonly serviceAccountKeys: KeyPairFiles;
  /** Stops everything (virtual servers, controller-manager, API server, etcd) and removes the temp dir. */
  stop(): Promise<void>;
  /** Stops only the host kube-apiserver (fault tests). */
  stopApiServer(): Promise<void>;
  /** Starts it again with the same port, certificates and etcd; resolves when it is ready. */
  startApiServer(): Promise<void>;
  /** SIGSTOP: the server keeps its port but answers nothing (a hanging cluster). */
  pauseApiServer(): void;
  /** SIGCONT after pauseApiServer. */
  resumeApiServer(): void;
  /** Starts a virtual control plane (a vcluster's API server) on the shared etcd. */
  startVirtual(name: string, opts?: VirtualOptions): Promise<VirtualControlPlane>;
  /** The virtual control planes started so far. */
  readonly virtuals: ReadonlyMap<string, VirtualControlPlane>;
}

export interface VirtualOptions {
  /** Loopback address to bind (default 127.0.0.1). Use allocateLoopbackAddress() for a distinct one. */
  bindAddress?: string;
  /** Port (default: a free one). 443 for a server that stands behind a LoadBalancer ingress IP. */
  port?: number;
  /** Extra DNS names / IPs for the serving certificate (vcluster's cert also names NAME and NAME.NS). */
  dnsNames?: readonly string[];
  ips?: readonly string[];
  /** Kubeconfig context name for the admin kubeconfig (default `virtual-<name>`). */
  contextName?: string;
  /** More kube-apiserver flags (e.g. an audit policy and log). */
  extraArgs?: readonly string[];
}

export interface VirtualControlPlane extends ClusterAccess {
  /** Unique id of this server (also part of its etcd prefix). */
  readonly id: string;
  readonly bindAddress: string;
  readonly port: number;
  readonly pid: number;
  /** A static bearer token accepted by this server for the admin (the `token` key of vc-NAME). */
  readonly token: string;
  readonly startedInMs: number;
  stop(): Promise<void>;
}

export interface HostOptions {
  /** Kubeconfig context name of the admin kubeconfig (default "host"). */
  contextName?: string;
  /** Loopback address of the host API server (default 127.0.0.1). */
  bindAddress?: string;
  /** Controllers for kube-controller-manager; [] runs none (no controller-manager process). */
  controllers?: readonly string[];
  /** Parent of the temp dir (default os.tmpdir()). */
  tmpRoot?: string;
  /** Keep the temp dir after stop (for debugging). */
  keepDir?: boolean;
  /** Print progress to stderr. */
  verbose?: boolean;
  /**
   * Prepare the host for a real node (test/harness/node/node.ts): the Node authorizer, the ServiceAccount admission plugin
   * (pods get their token volume, as in any cluster), a client certificate for the API server to reach kubelets, the
   * controllers of NODE_HOST_CONTROLLERS and a kube-scheduler. bindAddress must then be reachable from pods.
   */
  forNode?: boolean;
}

/** Waits (synchronously, up to 2 s) until /proc/PID/stat shows a state accepted by `ok`, e.g. 'T' after SIGSTOP. */
function waitForProcState(pid: number, ok: (state: string) => boolean): void {
  const deadline = Date.now() + 2000;
  for (;;) {
    let st: string;
    try {
      st = fs
        .readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .charAt(0);
    } catch {
      return; // no /proc (not Linux) or the process is gone
    }
    if (ok(st) || Date.now() > deadline) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

// ---- the host ----------------------------------------------------------------------------------------------------

export async function startHost(opts: HostOptions = {}): Promise<HostCluster> {
  const t0 = Date.now();
  const timings: Timings = {};
  const say = (m: string) => opts.verbose && process.stderr.write(`[harness] ${m}\n`);
  const etcdBin = requireTool('etcd');
  const apiserverBin = requireTool('kube-apiserver');
  const kcmBin = requireTool('kube-controller-manager');
  const schedulerBin = opts.forNode ? requireTool('kube-scheduler') : undefined;
  const contextName = opts.contextName ?? 'host';
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const dir = fs.mkdtempSync(path.join(opts.tmpRoot ?? os.tmpdir(), 'vce-host-'));
  const removeDir = () => {
    if (!opts.keepDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  const unregisterCleanup = opts.keepDir ? () => undefined : removeOnExit(dir);
  const procs: ManagedProcess[] = [];
  const virtuals = new Map<string, VirtualControlPlane>();

  try {
    // etcd and the certificates are independent: start etcd first, make certificates while it boots.
    const [etcdPort, peerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort(bindAddress)]);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = spawnManaged(
      'etcd',
      etcdBin,
      [
        '--name=default',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ],
      { logFile: path.join(dir, 'etcd.log') },
    );
    procs.push(etcd);

    let t = Date.now();
    const pki = path.join(dir, 'pki');
    const ca = await createCA(pki, 'ca', 'vcluster-explorer-host-ca');
    const [serving, admin, kcm, kubeletClient, scheduler] = await Promise.all([
      issueCert(ca, pki, 'apiserver', {
        commonName: 'kube-apiserver',
        dnsNames: kubernetesDnsNames,
        ips: [...new Set(['127.0.0.1', bindAddress, '10.0.0.1'])],
        usage: 'server',
      }),
      issueCert(ca, pki, 'admin', { commonName: 'admin', organizations: ['system:masters'], usage: 'client' }),
      issueCert(ca, pki, 'kube-controller-manager', { commonName: 'system:kube-controller-manager', usage: 'client' }),
      opts.forNode
        ? issueCert(ca, pki, 'apiserver-kubelet-client', { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' })
        : undefined,
      opts.forNode ? issueCert(ca, pki, 'kube-scheduler', { commonName: 'system:kube-scheduler', usage: 'client' }) : undefined,
    ]);
    const sa = createServiceAccountKeys(pki);
    timings.certs = ms(t);

    t = Date.now();
    await waitFor(
      'etcd to become healthy',
      async () => {
        if (etcd.hasExited()) throw new Error(`etcd exited:\n${etcd.output()}`);
        const r = await fetch(`${etcdUrl}/health`).catch(() => undefined);
        return r?.ok === true;
      },
      60_000,
      100,
    );
    timings.etcd = ms(t0);
    say(`etcd ready at ${etcdUrl} (${timings.etcd} ms)`);

    const server = `https://${bindAddress}:${apiPort}`;
    const spec: ApiServerSpec = {
      name: 'host',
      dir,
      bindAddress,
      port: apiPort,
      etcdUrl,
      etcdPrefix: '/registry',
      serving,
      ca,
      sa,
      serviceCidr: '10.0.0.0/16',
      kubeletClient,
    };
    const rest = new KubeRest({ server, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
    let apiserver: ManagedProcess;
    const launchApiServer = async () => {
      const s = Date.now();
      apiserver = spawnManaged('kube-apiserver(host)', apiserverBin, apiServerArgs(spec), { logFile: path.join(dir, 'kube-apiserver.log') });
      procs.push(apiserver);
      await waitReady(rest, () => apiserver, 'the host kube-apiserver');
      return ms(s);
    };
    timings.apiserver = await launchApiServer();
    say(`kube-apiserver ready at ${server} (${timings.apiserver} ms)`);

    const kubeconfig = makeKubeconfig({ contextName, server, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
    const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
    writePrivate(kubeconfigPath, kubeconfig);

    const controllers = opts.controllers ?? (opts.forNode ? [...HOST_CONTROLLERS, ...NODE_HOST_CONTROLLERS] : HOST_CONTROLLERS);
    if (controllers.length > 0) {
      t = Date.now();
      const kcmKubeconfigPath = path.join(dir, 'kube-controller-manager.kubeconfig');
      writePrivate(kcmKubeconfigPath, makeKubeconfig({ contextName: 'kcm', server, caPem: ca.certPem, certPem: kcm.certPem, keyPem: kcm.keyPem }));
      const kcmProc = spawnManaged(
        'kube-controller-manager',
        kcmBin,
        [
          `--kubeconfig=${kcmKubeconfigPath}`,
          `--authentication-kubeconfig=${kcmKubeconfigPath}`,
          `--authorization-kubeconfig=${kcmKubeconfigPath}`,
          '--leader-elect=false',
          `--controllers=${controllers.join(',')}`,
          `--root-ca-file=${ca.certPath}`,
          `--service-account-private-key-file=${sa.privateKeyPath}`,
          // Each controller uses its own service account, as in a real cluster (RBAC bootstrap grants them).
          '--use-service-account-credentials=true',
          '--secure-port=0',
          '--concurrent-statefulset-syncs=2',
          '--v=0',
        ],
        { logFile: path.join(dir, 'kube-controller-manager.log') },
      );
      procs.push(kcmProc);
      if (controllers.includes('serviceaccount')) {
        await waitFor(
          'kube-controller-manager to create the default ServiceAccount',
          async () => {
            if (kcmProc.hasExited()) throw new Error(`kube-controller-manager exited:\n${kcmProc.output().slice(-4000)}`);
            return (await rest.raw('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
          },
          90_000,
          250,
        );
      }
      timings.controllerManager = ms(t);
      say(`kube-controller-manager running (${timings.controllerManager} ms)`);
    }
    if (scheduler && schedulerBin) {
      const schedKubeconfigPath = path.join(dir, 'kube-scheduler.kubeconfig');
      writePrivate(
        schedKubeconfigPath,
        makeKubeconfig({ contextName: 'scheduler', server, caPem: ca.certPem, certPem: scheduler.certPem, keyPem: scheduler.keyPem }),
      );
      procs.push(
        spawnManaged(
          'kube-scheduler',
          schedulerBin,
          [
            `--kubeconfig=${schedKubeconfigPath}`,
            `--authentication-kubeconfig=${schedKubeconfigPath}`,
            `--authorization-kubeconfig=${schedKubeconfigPath}`,
            '--leader-elect=false',
            '--secure-port=0',
            '--v=0',
          ],
          { logFile: path.join(dir, 'kube-scheduler.log') },
        ),
      );
    }
    timings.total = ms(t0);

    let stopped: Promise<void> | undefined;
    const host: HostCluster = {
      contextName,
      server,
      ca,
      admin,
      kubeconfigPath,
      kubeconfig,
      rest,
      dir,
      etcdUrl,
      bindAddress,
      port: apiPort,
      get apiserverPid() {
        return apiserver.pid;
      },
      timings,
      serviceAccountKeys: sa,
      virtuals,
      userKubeconfig: makeUserKubeconfigFn(dir, ca, server),
      stop: () => {
        stopped ??= (async () => {
          await Promise.all([...virtuals.values()].map((v) => v.stop()));
          // Controller-manager and API server before etcd, so they do not log a storm of etcd errors.
          await Promise.all(procs.filter((p) => p !== etcd).map((p) => p.stop()));
          await etcd.stop();
          unregisterCleanup();
          removeDir();
        })();
        return stopped;
      },
      stopApiServer: async () => {
        await apiserver.stop();
      },
      startApiServer: async () => {
        if (!apiserver.hasExited()) throw new Error('the host kube-apiserver is still running');
        timings.apiserverRestart = await launchApiServer();
      },
      pauseApiServer: () => {
        apiserver.signal('SIGSTOP');
        waitForProcState(apiserver.pid, (st) => st === 'T' || st === 't');
      },
      resumeApiServer: () => apiserver.signal('SIGCONT'),
      startVirtual: async (name, vopts = {}) => {
        const v = await startVirtualControlPlane({ dir, etcdUrl, apiserverBin, name, opts: vopts });
        virtuals.set(v.id, v);
        return v;
      },
    };
    return host;
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop(1000)));
    unregisterCleanup();
    removeDir();
    throw err;
  }
}

// ---- virtual control planes ----------------------------------------------------------------------------------------

let virtualCounter = 0;

async function startVirtualControlPlane(o: {
  dir: string;
  etcdUrl: string;
  apiserverBin: string;
  name: string;
  opts: VirtualOptions;
}): Promise<VirtualControlPlane> {
  const t0 = Date.now();
  const id = `${o.name.replace(/[^a-z0-9-]/g, '-')}-${virtualCounter++}`;
  const dir = path.join(o.dir, 'virtual', id);
  fs.mkdirSync(dir, { recursive: true });
  const bindAddress = o.opts.bindAddress ?? '127.0.0.1';
  const port = o.opts.port ?? (await freePort(bindAddress));
  // Each vcluster has its own CA, as the real syncer generates one per virtual cluster.
  const ca = await createCA(dir, 'ca', `vcluster-${o.name}-ca`);
  const [serving, admin] = await Promise.all([
    issueCert(ca, dir, 'apiserver', {
      commonName: 'kube-apiserver',
      dnsNames: [...kubernetesDnsNames, o.name, ...(o.opts.dnsNames ?? [])],
      ips: [...new Set(['127.0.0.1', bindAddress, '10.96.0.1', ...(o.opts.ips ?? [])])],
      usage: 'server',
    }),
    // The admin identity in vc-NAME: system:masters, as vcluster's generated admin certificate.
    issueCert(ca, dir, 'admin', { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' }),
  ]);
  const sa = createServiceAccountKeys(dir);
  const token = (await import('node:crypto')).randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'tokens.csv');
  writePrivate(tokenFile, `${token},kubernetes-admin,kubernetes-admin,"system:masters"\n`);
  const server = `https://${bindAddress}:${port}`;
  const spec: ApiServerSpec = {
    name: id,
    dir,
    bindAddress,
    port,
    etcdUrl: o.etcdUrl,
    etcdPrefix: `/vcluster/${id}/registry`,
    serving,
    ca,
    sa,
    serviceCidr: '10.96.0.0/16',
    tokenFile,
  };
  const proc = spawnManaged(`kube-apiserver(virtual ${id})`, o.apiserverBin, [...apiServerArgs(spec), ...(o.opts.extraArgs ?? [])], {
    logFile: path.join(dir, 'kube-apiserver.log'),
  });
  const rest = new KubeRest({ server, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
  try {
    await waitReady(rest, () => proc, `the virtual kube-apiserver ${id}`);
    // vcluster connect waits for default/default ServiceAccount in the virtual cluster; there is no controller-manager
    // here, so create it as the virtual cluster's own controller-manager would.
    await rest.ensure('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
  const contextName = o.opts.contextName ?? `virtual-${o.name}`;
  const kubeconfig = makeKubeconfig({ contextName, server, caPem: ca.certPem, certPem: admin.certPem, keyPem: admin.keyPem });
  const kubeconfigPath = path.join(dir, 'admin.kubeconfig');
  writePrivate(kubeconfigPath, kubeconfig);
  const startedInMs = ms(t0);
  return {
    id,
    contextName,
    server,
    ca,
    admin,
    kubeconfigPath,
    kubeconfig,
    rest,
    bindAddress,
    port,
    pid: proc.pid,
    token,
    startedInMs,
    userKubeconfig: makeUserKubeconfigFn(dir, ca, server),
    stop: () => proc.stop(),
  };
}

export const kubernetesVersion = versions.kubernetes;

/** Same as host.startVirtual(name, opts). */
export function startVirtual(host: HostCluster, name: string, opts: VirtualOptions = {}): Promise<VirtualControlPlane> {
  return host.startVirtual(name, opts);
}
