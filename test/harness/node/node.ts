// A real node for the host control plane: containerd (Debian's package, with its own root, state dir and socket), runc,
// the CNI bridge plugin and a kubelet built from k8s.io/kubernetes, registered to the host and Ready. Pods that the
// host schedules onto it really run, from images built locally (scripts/lib/real-node.mjs: ensureNodeImages) and
// imported into this containerd; nothing is ever pulled from a registry. See docs/real-node.md for the why of each
// setting.
//
// startRealCluster() starts the whole thing: a host (controlPlane.ts, prepared with forNode and listening on the
// node's bridge address, so pods can reach it), the node, and a local Helm chart repository with the vcluster chart.
// Every exit path removes everything: stop(), the exit and signal hooks of processes.ts, and — if the test process is
// SIGKILLed — its watchdog, which runs test/harness/node/node-cleanup.ts; a run that could not clean up at all (machine
// stop) is cleaned by the next run that starts (nodeState.ts).
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { chartRepoDir, ensureChartRepo, ensureNodeImages, nodeImages, realNodeSupport, SKIP_REAL_NODE_ENV } from '../../../scripts/lib/real-node.mjs';
import { ensureGoTools, repoRoot, toolPath } from '../../../scripts/lib/toolchain.mjs';
import { issueCert } from '../cluster/certs';
import { makeKubeconfig } from '../cluster/apiServer';
import { startHost, type HostCluster } from '../cluster/controlPlane';
import { freePort } from '../cluster/ports';
import { cleanupRun, createBridge, createCgroupRoot, leftoversOf, recordSysctls, reserveRun, type NodeRun } from './nodeState';
import { cleanUpOnExit, runProgram, spawnManaged, type ManagedProcess } from '../cluster/processes';
import { waitFor, type KObject } from '../cluster/rest';

/** The taint of the real node: only pods that tolerate it (real vclusters and what they sync) are scheduled there. */
export const NODE_TAINT_KEY = 'vcluster-explorer/real-node';

export type NodeImages = ReturnType<typeof nodeImages>;

export class NodeUnsupportedError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `this machine cannot run a real node, which the real-vcluster tests need:\n  - ${missing.join('\n  - ')}\n` +
        `Set ${SKIP_REAL_NODE_ENV}=1 to run everything else and report those suites as not run.`,
    );
  }
}

export interface RealNode {
  readonly name: string;
  readonly run: NodeRun;
  readonly images: NodeImages;
  readonly kubeletPort: number;
  /** URL of the local chart repository that serves the vcluster chart (loopback). */
  readonly chartRepo: string;
  /** Machine-wide state of this node that still exists (see nodeState.ts); [] after stop(). */
  leftovers(): string[];
  /** Stops the kubelet and containerd, kills every container, removes all machine-wide state. Idempotent. */
  stop(): Promise<void>;
}

/** Programs and files of the tools cache a real cluster uses, resolved once when it starts. */
export interface NodeTools {
  readonly kubelet: string;
  readonly vcluster: string;
  readonly helm: string;
  readonly kubectl: string;
  readonly images: NodeImages;
  readonly chartDir: string;
}

export interface RealCluster {
  readonly host: HostCluster;
  readonly node: RealNode;
  readonly tools: NodeTools;
  readonly timings: Record<string, number>;
  /** Stops the node, then the host. Idempotent. */
  stop(): Promise<void>;
}

function containerdConfig(r: NodeRun, images: NodeImages): string {
  // containerd 1.6 configuration, version 2 (containerd's docs/cri/config.md for the CRI plugin, v1.6).
  return [
    'version = 2',
    `root = ${JSON.stringify(path.join(r.dir, 'containerd', 'root'))}`,
    `state = ${JSON.stringify(path.join(r.dir, 'containerd', 'state'))}`,
    // Plugins that would touch paths outside the run's directory or that are of no use here.
    'disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]',
    '[grpc]',
    `  address = ${JSON.stringify(r.containerdSocket)}`,
    '[ttrpc]',
    `  address = ${JSON.stringify(`${r.containerdSocket}.ttrpc`)}`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = ${JSON.stringify(images.pause.ref)}`,
    // Without CAP_SYS_RESOURCE (as on these VMs) runc cannot lower a sandbox's oom_score_adj to the kubelet's -998 and
    // every sandbox fails; this keeps the score at or above containerd's own.
    '  restrict_oom_score_adj = true',
    // Network namespace handles below the run's state dir instead of the machine's /var/run/netns.
    '  netns_mounts_under_state_dir = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '      runtime_type = "io.containerd.runc.v2"',
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '        SystemdCgroup = false',
    // runc's state (its --root) inside the run's directory, not in the machine's /run/containerd/runc.
    `        Root = ${JSON.stringify(path.join(r.dir, 'runc'))}`,
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    '    bin_dir = "/usr/lib/cni"',
    `    conf_dir = ${JSON.stringify(path.join(r.dir, 'cni', 'net.d'))}`,
    '    max_conf_num = 1',
    '',
  ].join('\n');
}

function cniConfig(r: NodeRun): string {
  // The bridge plugin on the run's own bridge (created beforehand with the gateway address). No gateway role, no
  // masquerading and no port mapping: pods reach the host processes on the bridge address and each other on the
  // bridge, which needs no forwarding and no iptables rules (containernetworking/plugins v1.1, plugins/main/bridge).
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: r.cniNetwork,
      plugins: [
        {
          type: 'bridge',
          bridge: r.bridge,
          isGateway: false,
          ipMasq: false,
          hairpinMode: false,
          ipam: {
            type: 'host-local',
            dataDir: path.join(r.dir, 'cni', 'ipam'),
            ranges: [[{ subnet: r.subnet, gateway: r.gateway }]],
          },
        },
      ],
    },
    null,
    2,
  );
}

function kubeletConfig(o: { r: NodeRun; caPath: string; port: number }): string {
  // KubeletConfiguration v1beta1 (k8s.io/kubelet/config/v1beta1/types.go, v1.34).
  return toYaml({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${o.r.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    // A cgroup tree per run: two kubelets on one machine must not see (and garbage-collect) each other's pods.
    cgroupRoot: o.r.cgroupRoot,
    failCgroupV1: false,
    failSwapOn: false,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: o.caPath } },
    authorization: { mode: 'Webhook' },
    address: o.r.gateway,
    port: o.port,
    readOnlyPort: 0,
    healthzPort: 0,
    // No cluster DNS runs; an empty resolv.conf keeps pods from asking the machine's resolvers.
    clusterDomain: 'cluster.local',
    resolvConf: '',
    podLogsDir: path.join(o.r.dir, 'pod-logs'),
    volumePluginDir: path.join(o.r.dir, 'volume-plugins'),
    rotateCertificates: false,
    serverTLSBootstrap: false,
    // No KUBE-FIREWALL / KUBE-KUBELET-CANARY chains: the kubelet leaves iptables alone.
    makeIPTablesUtilChains: false,
    registerWithTaints: [{ key: NODE_TAINT_KEY, effect: 'NoSchedule' }],
    serializeImagePulls: false,
    // The imported images can never be pulled again: never garbage-collect them; evict only when nearly full.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '20s',
  });
}

/** Serves a directory (the chart repository) over HTTP on 127.0.0.1; only plain files, no listing. */
async function serveDirectory(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.join(dir, name);
    if (!name || name.includes('/') || name.startsWith('.') || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': name.endsWith('.yaml') ? 'text/yaml' : 'application/gzip', 'Content-Length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  server.unref();
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Runtime {
  readonly containerd: ManagedProcess;
}

/**
 * Starts containerd for run `r` and imports the images: independent of the host, so it runs while the host starts.
 * Processes go into `procs` as they start (the caller stops them on failure).
 */
async function startRuntime(
  r: NodeRun,
  tools: NodeTools,
  imageNames: (keyof NodeImages)[],
  say: (m: string) => void,
  timings: Record<string, number>,
  procs: ManagedProcess[],
): Promise<Runtime> {
  const { images } = tools;
  let t = Date.now();
  for (const d of ['logs', 'cni/net.d', 'cni/ipam', 'pki', 'kubelet', 'pod-logs', 'volume-plugins', 'volumes', 'runc'])
    fs.mkdirSync(path.join(r.dir, d), { recursive: true });
  fs.writeFileSync(path.join(r.dir, 'cni', 'net.d', '10-bridge.conflist'), cniConfig(r));
  const containerdToml = path.join(r.dir, 'containerd.toml');
  fs.writeFileSync(containerdToml, containerdConfig(r, images));
  // Nothing is ever pulled: containerd's registry client honours the proxy variables (Go's ProxyFromEnvironment), so a
  // proxy on a closed loopback port makes a pull of an image that was not imported fail at once, without even a DNS
  // lookup of the registry's name.
  const noPull = 'http://127.0.0.1:9';
  const containerd = spawnManaged('containerd', 'containerd', ['--config', containerdToml, '--log-level', 'warn'], {
    logFile: path.join(r.dir, 'logs', 'containerd.log'),
    env: { ...process.env, HTTPS_PROXY: noPull, HTTP_PROXY: noPull, https_proxy: noPull, http_proxy: noPull, NO_PROXY: '', no_proxy: '' },
  });
  procs.push(containerd);
  const ctr = (args: string[], timeoutMs = 300_000) => runProgram('ctr', ['--address', r.containerdSocket, '--namespace', 'k8s.io', ...args], { timeoutMs });
  await waitFor(
    'containerd to answer',
    async () => {
      if (containerd.hasExited()) throw new Error(`containerd exited:\n${containerd.output().slice(-3000)}`);
      return (
        fs.existsSync(r.containerdSocket) &&
        (await ctr(['version'], 10_000).then(
          () => true,
          () => false,
        ))
      );
    },
    30_000,
    100,
  );
  timings.containerd = Date.now() - t;
  say(`containerd ready (${timings.containerd} ms)`);
  t = Date.now();
  for (const n of imageNames) await ctr(['images', 'import', images[n].file]);
  timings.images = Date.now() - t;
  say(`images imported (${timings.images} ms)`);
  return { containerd };
}

/** Starts the kubelet for `host` (started with forNode on run `r`'s bridge address) once the runtime is up. */
async function startKubelet(
  host: HostCluster,
  r: NodeRun,
  tools: NodeTools,
  runtime: Runtime,
  say: (m: string) => void,
  timings: Record<string, number>,
  procs: ManagedProcess[],
): Promise<RealNode> {
  const { images, chartDir } = tools;
  const name = `node-${r.id}`;
  const t = Date.now();
  const cert = await issueCert(host.ca, path.join(r.dir, 'pki'), 'kubelet', {
    commonName: `system:node:${name}`,
    organizations: ['system:nodes'],
    usage: 'client',
  });
  const kubeconfigPath = path.join(r.dir, 'kubelet.kubeconfig');
  fs.writeFileSync(
    kubeconfigPath,
    makeKubeconfig({ contextName: 'node', server: host.server, caPem: host.ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem }),
    { mode: 0o600 },
  );
  const kubeletPort = await freePort(r.gateway);
  const configPath = path.join(r.dir, 'kubelet-config.yaml');
  fs.writeFileSync(configPath, kubeletConfig({ r, caPath: host.ca.certPath, port: kubeletPort }));
  recordSysctls();
  const kubelet = spawnManaged(
    'kubelet',
    tools.kubelet,
    [
      `--config=${configPath}`,
      `--kubeconfig=${kubeconfigPath}`,
      `--root-dir=${path.join(r.dir, 'kubelet')}`,
      `--cert-dir=${path.join(r.dir, 'kubelet', 'pki')}`,
      `--hostname-override=${name}`,
      `--node-ip=${r.gateway}`,
      '--v=0',
    ],
    { logFile: path.join(r.dir, 'logs', 'kubelet.log') },
  );
  procs.push(kubelet);
  await waitFor(
    `node ${name} to become Ready`,
    async () => {
      if (kubelet.hasExited()) throw new Error(`the kubelet exited:\n${kubelet.output().slice(-4000)}`);
      const node = (await host.rest.getOrUndefined(`/api/v1/nodes/${name}`)) as KObject | undefined;
      return node?.status?.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True') === true;
    },
    120_000,
    250,
  );
  timings.kubelet = Date.now() - t;
  say(`node ${name} Ready (${timings.kubelet} ms)`);

  const repo = await serveDirectory(chartDir);
  let stopped: Promise<void> | undefined;
  return {
    name,
    run: r,
    images,
    kubeletPort,
    chartRepo: repo.url,
    leftovers: () => leftoversOf(r),
    stop: () => {
      stopped ??= (async () => {
        await repo.close();
        // The kubelet first, so that it does not restart what is being killed; containerd after it. cleanupRun then
        // kills the containers and shims, unmounts and removes the rest.
        await kubelet.stop(5000);
        await runtime.containerd.stop(5000);
        const left = cleanupRun(r);
        if (left.length) throw new Error(`the node left state behind:\n  ${left.join('\n  ')}`);
      })();
      return stopped;
    },
  };
}

function resolveTools(): NodeTools {
  return {
    kubelet: toolPath('kubelet'),
    vcluster: toolPath('vcluster'),
    helm: toolPath('helm'),
    kubectl: toolPath('kubectl'),
    images: nodeImages(),
    chartDir: chartRepoDir(),
  };
}

const ALL_IMAGES: (keyof NodeImages)[] = ['pause', 'busybox', 'vcluster', 'kubernetes'];

/** Whether something this node needs is not built yet (the CLI, Helm and the chart only matter for vclusters). */
function toolsMissing(t: NodeTools, images: (keyof NodeImages)[]): boolean {
  const forVClusters = images.includes('vcluster') ? [t.vcluster, t.helm, path.join(t.chartDir, 'index.yaml')] : [];
  return [t.kubelet, t.kubectl, ...images.map((i) => t.images[i].file), ...forVClusters].some((f) => !fs.existsSync(f));
}

/**
 * A host control plane with a real node and the local chart repository: everything the real-vcluster tests and the
 * demo need. Throws NodeUnsupportedError (saying exactly what is missing) on a machine that cannot run a node. The
 * tools cache is looked up synchronously, when called (the integration suite points XDG_CACHE_HOME at it only then);
 * what is missing from it is built first.
 */
export interface RealClusterOptions {
  contextName?: string;
  verbose?: boolean;
  /** Images to import into the node (default: all four; a node for plain pods needs only pause and busybox). */
  images?: (keyof NodeImages)[];
}

export function startRealCluster(opts: RealClusterOptions = {}): Promise<RealCluster> {
  const missing = realNodeSupport();
  if (missing.length) return Promise.reject(new NodeUnsupportedError(missing));
  const tools = resolveTools();
  const images = opts.images ?? ALL_IMAGES;
  if (toolsMissing(tools, images)) {
    return (async () => {
      const forVClusters = images.includes('vcluster');
      await ensureGoTools(['kubernetes', 'etcd', 'node', ...(forVClusters ? (['helm', 'vcluster'] as const) : [])]);
      await ensureNodeImages(images);
      if (forVClusters) await ensureChartRepo();
      return startRealClusterWith(resolveTools(), opts);
    })();
  }
  // Everything up to startHost() runs synchronously from here, so startHost resolves the host's own tools (etcd,
  // kube-apiserver, ...) in the same cache.
  return startRealClusterWith(tools, opts);
}

async function startRealClusterWith(tools: NodeTools, opts: RealClusterOptions): Promise<RealCluster> {
  const say = (m: string) => opts.verbose && process.stderr.write(`[node] ${m}\n`);
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const r = reserveRun();
  const forget = cleanUpOnExit(
    () => void cleanupRun(r),
    [process.execPath, '--import', 'tsx', path.join(repoRoot, 'test', 'harness', 'node', 'node-cleanup.ts'), r.id],
    repoRoot,
  );
  let host: HostCluster | undefined;
  const procs: ManagedProcess[] = [];
  const starting: Promise<unknown>[] = [];
  try {
    createBridge(r);
    createCgroupRoot(r);
    // The host and the container runtime (with its image import) start side by side; the kubelet needs both.
    const hostP = startHost({ contextName: opts.contextName ?? 'host', bindAddress: r.gateway, forNode: true, verbose: opts.verbose });
    const runtimeP = startRuntime(r, tools, opts.images ?? ALL_IMAGES, say, timings, procs);
    starting.push(
      hostP.then((h) => (host = h)),
      runtimeP,
    );
    for (const p of starting) p.catch(() => undefined);
    host = await hostP;
    timings.host = Date.now() - t0;
    const runtime = await runtimeP;
    const node = await startKubelet(host, r, tools, runtime, say, timings, procs);
    timings.total = Date.now() - t0;
    const h = host;
    let stopped: Promise<void> | undefined;
    return {
      host: h,
      node,
      tools,
      timings,
      stop: () => {
        stopped ??= (async () => {
          try {
            await node.stop();
          } finally {
            await h.stop();
            forget();
          }
        })();
        return stopped;
      },
    };
  } catch (err) {
    // Stop what started (once both halves have settled): the exit hooks would too, but a caller may go on.
    await Promise.allSettled(starting);
    await Promise.all(procs.map((p) => p.stop(2000)));
    const left = cleanupRun(r);
    await host?.stop().catch(() => undefined);
    forget();
    if (left.length) (err as Error).message += `\n(and the node left state behind: ${left.join('; ')})`;
    throw err;
  }
}
