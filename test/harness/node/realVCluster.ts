// Real vclusters on the real node (node.ts), created the way a user creates them: the real vcluster CLI
// (`vcluster create --chart-repo`, v0.36.1) installs the real chart from the local chart repository with Helm; its
// StatefulSet's pod runs the real syncer, which starts the virtual control plane (kube-apiserver,
// kube-controller-manager, kine) and syncs pods to the host, where they run on the node. The only values given are
// what this offline machine needs (docs/real-node.md): the locally built images, the host API server's address, the
// toleration of the node's taint, no telemetry, the kube-dns Service instead of CoreDNS (whose image is not built).
//
// A nested vcluster is created the same way through its parent's virtual cluster: its pod is a pod of the parent's
// virtual cluster, synced to the host by the parent's syncer, and runs on the same node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { versions } from '../../../scripts/lib/toolchain.mjs';
import { removeOnExit, runProgram, type RunResult } from '../cluster/processes';
import { collectionPath, KubeRest, waitFor, type KObject } from '../cluster/rest';
import { NODE_TAINT_KEY, type RealCluster } from './node';
import { hostName, kindInfo } from '../worlds/worlds';

export const VCLUSTER_VERSION = versions.vcluster.replace(/^v/, '');
/** Port of the syncer's proxy to the virtual API server (controlPlane.proxy.port of the chart). */
export const SYNCER_PORT = 8443;
/** The name the syncer's serving certificate always covers (pkg/server/cert/cert.go, v0.36.1): used with pod IPs. */
export const SERVING_NAME = 'localhost';
/** Where a nested vcluster's syncer finds the kubeconfig of its parent's virtual cluster. */
const PARENT_KUBECONFIG_DIR = '/var/lib/vce-parent';
/** The pod's own service account credentials (what in-cluster configuration uses). */
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface RealVClusterSpec {
  name: string;
  namespace: string;
  /** Create it inside this vcluster's virtual cluster. */
  parent?: RealVCluster;
  /** More chart values, merged over the harness's. */
  values?: Record<string, unknown>;
  /** Wait until it runs (default true). */
  wait?: boolean;
}

export interface VirtualAccess {
  /** https://POD_IP:8443 */
  readonly server: string;
  readonly rest: KubeRest;
  /** Admin kubeconfig (from Secret vc-NAME) pointing at the pod's address, with tls-server-name localhost. */
  readonly kubeconfig: string;
  readonly kubeconfigPath: string;
}

export interface RealVCluster {
  readonly name: string;
  readonly namespace: string;
  readonly parent?: RealVCluster;
  readonly cluster: RealCluster;
  /** Enclosing vclusters, outermost first. */
  readonly parents: { namespace: string; name: string }[];
  /** Admin of the cluster its control-plane objects live in: the host, or the parent's virtual cluster. */
  readonly parentRest: KubeRest;
  readonly parentKubeconfigPath: string;
  /** Where its pod runs on the host: the outermost namespace and the translated pod name. */
  readonly hostNamespace: string;
  readonly hostPodName: string;
  /** The host pod's IP right now (changes when the pod is recreated, e.g. after resume). */
  podIP(): Promise<string>;
  /** Admin access to its virtual cluster, through the current pod IP. */
  virtual(): Promise<VirtualAccess>;
  /** Runs the real vcluster CLI against the cluster it lives in (HOME and cwd in a temp dir). */
  cli(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Waits until its pod runs and is ready and Secret vc-NAME exists. */
  waitRunning(timeoutMs?: number): Promise<void>;
}

let pvCounter = 0;

/**
 * Where a namespaced object of vcluster `owner`'s virtual cluster ends up on the host: each enclosing syncer puts it
 * into its own host namespace under the translated name (single-namespace mode).
 */
function toHost(obj: { namespace: string; name: string }, owner: RealVCluster | undefined): { namespace: string; name: string } {
  let o = obj;
  for (let p = owner; p; p = p.parent) o = { namespace: p.namespace, name: hostName(o.name, o.namespace, p.name) };
  return o;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && av && typeof av === 'object' && !Array.isArray(av)
        ? deepMerge(av as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const KUBE_DNS_SERVICE = toYaml({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] },
});

/** The chart values a real vcluster on this machine needs (everything else is the chart's default). */
export function realValues(cluster: RealCluster, nested: boolean): Record<string, unknown> {
  const split = (ref: string) => {
    const [reg, rest] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
    const [repo, t] = rest.split(':');
    return { registry: reg, repository: repo, tag: t };
  };
  const { images } = cluster.node;
  const env: KObject[] = nested
    ? [{ name: 'KUBECONFIG', value: `${PARENT_KUBECONFIG_DIR}/config` }]
    : [
        // No kube-proxy: the kubernetes Service IP does not route. The host API server listens on the node's bridge.
        { name: 'KUBERNETES_SERVICE_HOST', value: cluster.host.bindAddress },
        { name: 'KUBERNETES_SERVICE_PORT', value: String(cluster.host.port) },
      ];
  return {
    controlPlane: {
      distro: { k8s: { imagePullPolicy: 'Never', image: split(images.kubernetes.ref) } },
      statefulSet: {
        imagePullPolicy: 'Never',
        image: split(images.vcluster.ref),
        env,
        scheduling: { tolerations: [{ key: NODE_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }] },
        ...(nested
          ? {
              persistence: {
                addVolumes: [{ name: 'vce-parent', secret: { secretName: 'vce-parent-kubeconfig' } }],
                addVolumeMounts: [{ name: 'vce-parent', mountPath: PARENT_KUBECONFIG_DIR, readOnly: true }],
              },
            }
          : {}),
      },
      // CoreDNS's image is not built here, and without kube-proxy no Service IP routes, so it could not answer
      // anyway. The syncer still needs the kube-dns Service's IP for every pod's DNS settings (findKubernetesDNSIP
      // in pkg/controllers/resources/pods/translate.go, v0.36.1): the CoreDNS manifests are replaced by that Service.
      coredns: { overwriteManifests: KUBE_DNS_SERVICE },
    },
    sync: {
      toHost: {
        pods: {
          enforceTolerations: [`${NODE_TAINT_KEY}:NoSchedule`],
          // The init container the syncer adds to pods of StatefulSets inside it (e.g. a nested vcluster) to rewrite
          // their /etc/hosts: busybox has the sed it runs.
          rewriteHosts: { initContainer: { image: split(images.busybox.ref) } },
        },
      },
    },
    telemetry: { enabled: false },
  };
}

function b64decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** A kubeconfig like `vc`'s but pointing at `server`, verifying the certificate against `tlsServerName`. */
function repointKubeconfig(yaml: string, server: string, tlsServerName: string, contextName: string): string {
  const doc = parseYaml(yaml) as KObject;
  const cluster = { ...doc.clusters[0].cluster, server, 'tls-server-name': tlsServerName };
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster }],
    users: [{ name: contextName, user: doc.users[0].user }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
    'current-context': contextName,
    preferences: {},
  });
}

function restFromKubeconfig(yaml: string): KubeRest {
  const doc = parseYaml(yaml) as KObject;
  const c = doc.clusters[0].cluster;
  const u = doc.users[0].user;
  return new KubeRest({
    server: c.server,
    caPem: b64decode(c['certificate-authority-data']),
    certPem: u['client-certificate-data'] ? b64decode(u['client-certificate-data']) : undefined,
    keyPem: u['client-key-data'] ? b64decode(u['client-key-data']) : undefined,
    token: u.token,
    tlsServerName: c['tls-server-name'],
  });
}

/** A PersistentVolume for the claim the StatefulSet (or the syncer, for a nested one) will make: there is no provisioner. */
export async function provideVolume(cluster: RealCluster, claimNamespace: string, claimName: string): Promise<string> {
  const name = `vce-pv-${cluster.node.run.id}-${pvCounter++}`;
  await cluster.host.rest.create('/api/v1/persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: claimNamespace, name: claimName },
      hostPath: { path: path.join(cluster.node.run.dir, 'volumes', name), type: 'DirectoryOrCreate' },
    },
  });
  return name;
}

const homes = new WeakMap<RealCluster, string>();

/** HOME and working directory of the CLI for this cluster (it writes ~/.vcluster and refuses some directories). */
function cliHome(cluster: RealCluster): string {
  let home = homes.get(cluster);
  if (!home) {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-real-cli-'));
    removeOnExit(home);
    homes.set(cluster, home);
  }
  return home;
}

/** Runs the real vcluster CLI with `kubeconfig` (HOME and cwd in the cluster's CLI home; Helm on PATH). */
export function runVClusterCli(cluster: RealCluster, kubeconfig: string, args: string[], timeoutMs = 180_000): Promise<RunResult> {
  const home = cliHome(cluster);
  const { tools } = cluster;
  return runProgram(tools.vcluster, args, {
    cwd: home,
    timeoutMs,
    env: { PATH: [path.dirname(tools.helm), path.dirname(tools.kubectl), process.env.PATH ?? ''].join(path.delimiter), HOME: home, KUBECONFIG: kubeconfig },
  });
}

/** Creates a real vcluster with `vcluster create` and waits until it runs. */
export async function createRealVCluster(cluster: RealCluster, spec: RealVClusterSpec): Promise<RealVCluster> {
  const { name, namespace, parent } = spec;
  const home = cliHome(cluster);
  const parents = parent ? [...parent.parents, { namespace: parent.namespace, name: parent.name }] : [];
  const hostNamespace = parent ? parent.hostNamespace : namespace;
  // A nested vcluster's pod and claim are translated by every enclosing syncer on their way to the host.
  const hostPodName = toHost({ namespace, name: `${name}-0` }, parent).name;
  const claim = toHost({ namespace, name: `data-${name}-0` }, parent);
  const parentAccess = parent ? await parent.virtual() : undefined;
  const parentRest = parentAccess?.rest ?? cluster.host.rest;
  const parentKubeconfigPath = parentAccess?.kubeconfigPath ?? cluster.host.kubeconfigPath;
  await provideVolume(cluster, claim.namespace, claim.name);

  if (parent && parentAccess) {
    // The nested syncer reaches its host — the parent's virtual cluster — at the parent's pod address, with its own
    // service account token, verifying the parent's certificate by the name it covers.
    await parentRest.ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const kubeconfig = toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'parent', cluster: { server: parentAccess.server, 'certificate-authority': `${SA_DIR}/ca.crt`, 'tls-server-name': SERVING_NAME } }],
      users: [{ name: 'parent', user: { tokenFile: `${SA_DIR}/token` } }],
      contexts: [{ name: 'parent', context: { cluster: 'parent', user: 'parent', namespace } }],
      'current-context': 'parent',
    });
    await parentRest.ensure(`/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'vce-parent-kubeconfig', namespace },
      stringData: { config: kubeconfig },
    });
  }

  const valuesPath = path.join(home, `values-${parents.map((p) => `${p.namespace}.${p.name}.`).join('')}${namespace}.${name}.yaml`);
  fs.writeFileSync(valuesPath, toYaml(deepMerge(realValues(cluster, !!parent), spec.values ?? {})));
  const cli = (args: string[], timeoutMs?: number) => runVClusterCli(cluster, parentKubeconfigPath, args, timeoutMs);
  await cli([
    'create',
    name,
    '--namespace',
    namespace,
    '--chart-repo',
    cluster.node.chartRepo,
    '--chart-version',
    VCLUSTER_VERSION,
    '--values',
    valuesPath,
    '--connect=false',
    '--update-current=false',
    '--add=false',
    '--background-proxy=false',
  ]);

  const hostRest = cluster.host.rest;
  const hostPod = () => hostRest.getOrUndefined(`/api/v1/namespaces/${hostNamespace}/pods/${hostPodName}`);
  const podIP = async () => {
    const pod = await hostPod();
    const ip = pod?.status?.podIP as string | undefined;
    if (!ip) throw new Error(`the pod ${hostNamespace}/${hostPodName} of vcluster ${namespace}/${name} has no IP (yet)`);
    return ip;
  };
  const kubeconfigDir = path.join(home, 'kubeconfigs');
  fs.mkdirSync(kubeconfigDir, { recursive: true, mode: 0o700 });
  const vc: RealVCluster = {
    name,
    namespace,
    parent,
    cluster,
    parents,
    parentRest,
    parentKubeconfigPath,
    hostNamespace,
    hostPodName,
    podIP,
    virtual: async () => {
      const secret = await parentRest.get(`/api/v1/namespaces/${namespace}/secrets/vc-${name}`);
      const server = `https://${await podIP()}:${SYNCER_PORT}`;
      const contextName = `real-${[...parents.map((p) => p.name), name].join('-')}`;
      const kubeconfig = repointKubeconfig(b64decode(secret.data.config), server, SERVING_NAME, contextName);
      const kubeconfigPath = path.join(kubeconfigDir, `${contextName}.kubeconfig`);
      fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
      return { server, rest: restFromKubeconfig(kubeconfig), kubeconfig, kubeconfigPath };
    },
    cli,
    waitRunning: async (timeoutMs = 180_000) => {
      await waitFor(
        `vcluster ${[...parents.map((p) => p.name), name].join('/')} to run (pod ${hostNamespace}/${hostPodName} ready, Secret vc-${name})`,
        async () => {
          const pod = await hostPod();
          const ready = pod?.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).every((c: KObject) => c.ready);
          if (!ready) return false;
          if (!(await parentRest.getOrUndefined(`/api/v1/namespaces/${namespace}/secrets/vc-${name}`))) return false;
          // The virtual API answers through the pod's address.
          const r = await (await vc.virtual()).rest.raw('GET', '/readyz', undefined, undefined, 5000);
          return r.status === 200;
        },
        timeoutMs,
        1000,
      );
    },
  };
  if (spec.wait !== false) await vc.waitRunning();
  return vc;
}

// ---- workloads ---------------------------------------------------------------------------------------------------------

/** Creates objects in a cluster (namespaces first; existing ones are kept). */
export async function applyObjects(rest: KubeRest, objects: readonly KObject[]): Promise<KObject[]> {
  const out: KObject[] = [];
  for (const o of [...objects].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'))) {
    const k = kindInfo[o.kind as string];
    if (!k) throw new Error(`applyObjects: unsupported kind ${o.kind}`);
    out.push(await rest.ensure(collectionPath(k.apiVersion, k.plural, o.metadata.namespace as string | undefined), o));
  }
  return out;
}

/**
 * The sample application the tests and the demo run inside a real vcluster, in namespace `namespace`: a Deployment
 * whose pod prints a log line every 2 seconds and serves HTTP on 8080 (busybox httpd), reading a ConfigMap and a Secret
 * it mounts; a Service in front of it; a bare Pod; a PersistentVolumeClaim; and a ConfigMap no pod uses (which the
 * syncer, by default, does not sync).
 */
export function sampleApp(busyboxImage: string, namespace: string, app = 'web'): KObject[] {
  const labels = { app, tier: 'frontend' };
  const script = [
    'mkdir -p /www',
    'echo "hello from $(cat /config/greeting)" > /www/index.html',
    'httpd -p 8080 -h /www',
    `echo "${app} started with $(wc -c < /credentials/password) bytes of password"`,
    `i=0; while true; do echo "${app} log line $i"; i=$((i+1)); sleep 2; done`,
  ].join('\n');
  const container = (name: string, command: string[]) => ({ name, image: busyboxImage, imagePullPolicy: 'Never', command });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app}-config`, namespace, labels: { app } }, data: { greeting: `the ${app} config map` } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${app}-credentials`, namespace, labels: { app } },
      type: 'Opaque',
      stringData: { password: 'not-a-real-password' },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unused-config', namespace }, data: { note: 'no pod uses me' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                ...container('app', ['/bin/sh', '-c', script]),
                ports: [{ name: 'http', containerPort: 8080 }],
                volumeMounts: [
                  { name: 'config', mountPath: '/config' },
                  { name: 'credentials', mountPath: '/credentials' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: `${app}-config` } },
              { name: 'credentials', secret: { secretName: `${app}-credentials` } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace, labels: { app } },
      spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${app}-worker`, namespace, labels: { app: `${app}-worker`, role: 'batch' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [container('worker', ['/bin/sh', '-c', `while true; do echo "${app}-worker tick"; sleep 5; done`])],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${app}-data`, namespace, labels: { app } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  ];
}

/** Gives a claim of a vcluster (as the syncer names it on the host) a volume, since nothing provisions one. */
export async function provideClaimVolume(vc: RealVCluster, virtualNamespace: string, claimName: string): Promise<void> {
  const claim = toHost({ namespace: virtualNamespace, name: claimName }, vc);
  await provideVolume(vc.cluster, claim.namespace, claim.name);
}
