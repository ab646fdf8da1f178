import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { type ExecOptions, type ExecSession, openExec } from '../kube/exec';
import { type LogOptions, streamLogs } from '../kube/logs';
import type { TunnelManager } from '../kube/tunnel';
import type { KubeList, Pod } from '../kube/types';
import { Watcher } from '../kube/watch';
import { UserFacingError } from '../shared/errors';
import type { AnyResourceInfo, ResourceInfo, VClusterRef } from '../shared/model';
import { ApiResourceCache } from './apiResources';
import { chooseEndpoint } from './access';
import type { ExplorerModel } from './explorer';
import { type PrivateKubeconfig, writePrivateKubeconfig } from './privateKubeconfig';
import { Emitter } from '../shared/emitter';
import { refKey } from '../shared/refKey';
import { contextNameFor, parentOf } from './refs';
import {
  type EventInfo,
  type ListPage,
  type ListResourcesOptions,
  forwardablePorts,
  insideKind,
  insideKindOf,
  kindDef,
  listObjectMetadata,
  listResourcePage,
  listResources,
  listVirtualNamespaces,
  objectEvents,
  resolvePortTarget,
} from './resources';
import { controlPlaneSelector, podStatus } from './status';
import { hostName } from './translate';
import { describeTarget, type ForwardInfo, type InsideKindName, type ObjectTarget } from './insideTarget';

// Working inside a vcluster, free of vscode: its namespaces and workloads, pod logs, exec, port-forwards to its pods
// and services (through the extension's one tunnel implementation, src/kube/tunnel.ts), events, and a private
// kubeconfig for a terminal. Everything virtual goes through the vcluster's own API server (model.reach), which hands
// logs, exec and port-forward to its syncer, which serves them from the host pod.

export { describeTarget, type ForwardInfo, type InsideKindName, type ObjectTarget } from './insideTarget';

interface Forward {
  info: Omit<ForwardInfo, 'lastError'>;
  release: () => void;
}

export class InsideVClusters {
  private readonly forwards = new Map<string, Forward>();
  private counter = 0;
  private readonly changes = new Emitter<void>();
  /** Told when a port-forward starts, stops or breaks. */
  readonly onDidChange = this.changes.event;
  private readonly tunnelSub: { dispose(): void };
  /** What each vcluster's API server serves (API discovery), read once per vcluster. */
  readonly apiResources: ApiResourceCache;

  constructor(
    private readonly model: ExplorerModel,
    private readonly tunnels: TunnelManager,
  ) {
    this.tunnelSub = tunnels.onDidChange(() => this.changed());
    this.apiResources = new ApiResourceCache((ref) => this.virtual(ref));
  }

  private changed(): void {
    this.changes.fire();
  }

  private async virtual(ref: VClusterRef): Promise<KubeClient> {
    return (await this.model.reach(ref)).client;
  }

  /**
   * Keeps a vcluster reachable until disposed: its client (and its parents') stay open and the port-forward tunnels
   * that reach their API servers stay open while idle.
   */
  async holdVCluster(ref: VClusterRef): Promise<{ dispose(): void }> {
    const hold = this.model.hold(ref);
    const tunnelHolds: { dispose(): void }[] = [];
    try {
      for (let r: VClusterRef | undefined = ref; r; r = parentOf(r)) {
        const { endpoint } = await this.model.reach(r);
        if (endpoint.kind !== 'tunnel') continue;
        const h = this.tunnels.hold(Number(new URL(endpoint.server).port));
        if (h) tunnelHolds.push(h);
      }
    } catch (err) {
      tunnelHolds.forEach((h) => h.dispose());
      hold.dispose();
      throw err;
    }
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        tunnelHolds.forEach((h) => h.dispose());
        hold.dispose();
      },
    };
  }

  // ---- reading ---------------------------------------------------------------------------------------------------

  async namespaces(ref: VClusterRef, signal?: AbortSignal): Promise<{ name: string; system: boolean; phase?: string }[]> {
    return listVirtualNamespaces(await this.virtual(ref), signal);
  }

  /**
   * Every object of a kind in a namespace of the vcluster, or in all of them without one (page by page). `kind` is
   * any kind as kubectl takes it (Kind, resource, short name, resource.group; custom resources included): the inside
   * kinds come back as ResourceInfo, as the tree shows them; every other kind as its metadata (OtherResourceInfo).
   */
  async resources(ref: VClusterRef, o: ListResourcesOptions & { readonly kind: InsideKindName }): Promise<ResourceInfo[]>;
  async resources(ref: VClusterRef, o: ListResourcesOptions): Promise<AnyResourceInfo[]>;
  async resources(ref: VClusterRef, o: ListResourcesOptions): Promise<AnyResourceInfo[]> {
    const known = insideKind(o.kind);
    if (known) return listResources(await this.virtual(ref), ref.name, ref.namespace, { ...o, kind: known.kind });
    const { resource } = await this.apiResources.resolve(ref, o.kind, o.signal);
    const inside = insideKindOf(resource);
    if (inside) return listResources(await this.virtual(ref), ref.name, ref.namespace, { ...o, kind: inside.kind });
    return listObjectMetadata(await this.virtual(ref), resource, o);
  }

  /** One page of objects (the tree shows large namespaces page by page). */
  async resourcePage(ref: VClusterRef, o: ListResourcesOptions): Promise<ListPage> {
    return listResourcePage(await this.virtual(ref), ref.name, ref.namespace, o);
  }

  /**
   * Calls onChange on every change of the vcluster's namespaces (no `kind`) or of one kind in a namespace, until
   * disposed; `onHealth` hears when the watch fails and recovers.
   */
  async watch(
    ref: VClusterRef,
    what: { namespace?: string; kind?: string; resourceVersion?: string },
    onChange: () => void,
    onHealth?: (err: KubeError | undefined) => void,
  ): Promise<{ dispose(): void }> {
    const client = await this.virtual(ref);
    const path = what.kind ? kindDef(what.kind).path(what.namespace ?? '') : '/api/v1/namespaces';
    const w = new Watcher(client, path, {
      onEvent: onChange,
      onResync: onChange,
      ...(onHealth ? { onHealth } : {}),
      ...(what.resourceVersion ? { resourceVersion: what.resourceVersion } : {}),
    });
    return { dispose: () => w.dispose() };
  }

  async events(t: ObjectTarget, signal?: AbortSignal): Promise<EventInfo[]> {
    return objectEvents(await this.virtual(t.ref), t.kind, t.namespace, t.name, signal);
  }

  /** A pod inside the vcluster, with a clear message when it is gone. */
  async pod(t: ObjectTarget): Promise<Pod> {
    try {
      return await (await this.virtual(t.ref)).get<Pod>(`/api/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.name)}`);
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound')
        throw new UserFacingError(`Pod ${t.namespace}/${t.name} does not exist in vcluster ${t.ref.name} (any more).`);
      throw err;
    }
  }

  /** The containers of a pod (init containers last), for the container choice. */
  async containers(t: ObjectTarget): Promise<{ name: string; init: boolean; restarts: number; state: string }[]> {
    const p = await this.pod(t);
    const statuses = new Map([...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].map((c) => [c.name, c]));
    const state = (name: string) => {
      const s = statuses.get(name)?.state;
      return s?.running
        ? 'running'
        : s?.terminated
          ? `terminated (${s.terminated.reason ?? `exit code ${s.terminated.exitCode}`})`
          : s?.waiting
            ? `waiting (${s.waiting.reason ?? ''})`
            : 'unknown';
    };
    return [
      ...(p.spec?.containers ?? []).map((c) => ({ name: c.name, init: false, restarts: statuses.get(c.name)?.restartCount ?? 0, state: state(c.name) })),
      ...(p.spec?.initContainers ?? []).map((c) => ({ name: c.name, init: true, restarts: statuses.get(c.name)?.restartCount ?? 0, state: state(c.name) })),
    ];
  }

  // ---- logs -----------------------------------------------------------------------------------------------------------

  /** Streams the log of a container of a pod inside the vcluster (see streamLogs). */
  async logs(t: ObjectTarget, o: LogOptions, onText: (text: string) => void): Promise<void> {
    if (t.kind !== 'Pod') throw new UserFacingError(`Logs are read from pods; ${describeTarget(t)} is not one.`);
    const client = await this.virtual(t.ref);
    await streamLogs(client, t.namespace, t.name, { ...o, ...(t.container ? { container: t.container } : {}) }, onText);
  }

  /** The vcluster's own control-plane pods in the cluster it runs in (labels app=vcluster,release=NAME, as the CLI). */
  async controlPlanePods(ref: VClusterRef): Promise<{ name: string; status: string; containers: string[] }[]> {
    const host = await this.model.hostClientOf(ref);
    const l = await host.get<KubeList<Pod>>(`/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods`, {
      query: { labelSelector: controlPlaneSelector(ref.name) },
    });
    return l.items.map((p) => ({ name: p.metadata.name, status: podStatus(p), containers: (p.spec?.containers ?? []).map((c) => c.name) }));
  }

  /** Streams the log of the vcluster's control-plane pod (container `syncer` unless another is named). */
  async controlPlaneLogs(ref: VClusterRef, o: LogOptions & { pod?: string; container?: string }, onText: (text: string) => void): Promise<void> {
    const pods = await this.controlPlanePods(ref);
    const pod = o.pod ? pods.find((p) => p.name === o.pod) : pods[0];
    if (!pod)
      throw new UserFacingError(
        `vcluster ${ref.namespace}/${ref.name} has no control-plane pod${o.pod ? ` named ${o.pod}` : ''} (it may be paused or scaled down).`,
      );
    const container = o.container ?? (pod.containers.includes('syncer') ? 'syncer' : pod.containers[0]);
    await streamLogs(await this.model.hostClientOf(ref), ref.namespace, pod.name, { ...o, ...(container ? { container } : {}) }, onText);
  }

  // ---- exec ------------------------------------------------------------------------------------------------------------

  /** Opens an exec session in a container of a pod inside the vcluster. */
  async exec(t: ObjectTarget, o: Omit<ExecOptions, 'namespace' | 'pod' | 'container'>): Promise<ExecSession> {
    const pod = await this.pod(t);
    if (pod.status?.phase !== 'Running') {
      throw new UserFacingError(`Pod ${t.namespace}/${t.name} is not running (${podStatus(pod) || 'unknown status'}): no command can run in it.`);
    }
    return openExec(await this.virtual(t.ref), { ...o, namespace: t.namespace, pod: t.name, ...(t.container ? { container: t.container } : {}) });
  }

  // ---- port-forward -----------------------------------------------------------------------------------------------------

  async forwardablePorts(t: ObjectTarget): Promise<{ port: number; label: string }[]> {
    if (t.kind !== 'Pod' && t.kind !== 'Service') throw new UserFacingError(`Ports are forwarded to pods and services; ${describeTarget(t)} is neither.`);
    return forwardablePorts(await this.virtual(t.ref), t.kind, t.namespace, t.name);
  }

  /**
   * Forwards a local port (given, or one the system picks) to a port of a pod or service inside the vcluster, through
   * the tunnel machinery Connect uses; kept open while idle until stop(). Resolves to what was opened.
   */
  async portForward(t: ObjectTarget, port: number, localPort = 0): Promise<ForwardInfo> {
    if (t.kind !== 'Pod' && t.kind !== 'Service') throw new UserFacingError(`Ports are forwarded to pods and services; ${describeTarget(t)} is neither.`);
    if (!(Number.isInteger(localPort) && localPort >= 0 && localPort < 65536))
      throw new UserFacingError(`${localPort} is not a local port number (1–65535, or 0 for any free port).`);
    const hold = await this.holdVCluster(t.ref);
    try {
      const client = await this.virtual(t.ref);
      const target = await resolvePortTarget(client, t.kind, t.namespace, t.name, port);
      const id = `fwd-${++this.counter}`;
      let opened: number;
      try {
        opened = await this.tunnels.open(client, t.namespace, target.pod, target.podPort, localPort, id);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UserFacingError(`Local port ${localPort} is already in use: choose another one, or let the system pick one.`);
        throw err;
      }
      const tunnelHold = this.tunnels.hold(opened);
      const f: Forward = {
        info: {
          id,
          target: { ref: t.ref, kind: t.kind, namespace: t.namespace, name: t.name },
          port,
          localPort: opened,
          pod: target.pod,
          podPort: target.podPort,
        },
        release: () => {
          tunnelHold?.dispose();
          hold.dispose();
        },
      };
      this.forwards.set(id, f);
      this.changed();
      return this.infoOf(f);
    } catch (err) {
      hold.dispose();
      throw err;
    }
  }

  private infoOf(f: Forward): ForwardInfo {
    const t = this.tunnels.list().find((x) => x.localPort === f.info.localPort);
    return { ...f.info, ...(t?.lastError ? { lastError: t.lastError } : {}) };
  }

  /** The port-forwards started here and still open (a tunnel closed elsewhere drops its entry). */
  listForwards(): ForwardInfo[] {
    const open = new Set(this.tunnels.list().map((t) => t.localPort));
    for (const [id, f] of [...this.forwards]) {
      if (!open.has(f.info.localPort)) {
        f.release();
        this.forwards.delete(id);
      }
    }
    return [...this.forwards.values()].map((f) => this.infoOf(f));
  }

  /** Stops a port-forward; false when there is none with that id. */
  stopForward(id: string): boolean {
    const f = this.forwards.get(id);
    if (!f) return false;
    this.forwards.delete(id);
    this.tunnels.close((t) => t.localPort === f.info.localPort);
    f.release();
    this.changed();
    return true;
  }

  /** Opens a port-forward again on the same local port (after its pod was replaced, or the vcluster restarted). */
  async restartForward(id: string): Promise<ForwardInfo> {
    const f = this.forwards.get(id);
    if (!f) throw new UserFacingError('That port-forward is no longer open.');
    this.stopForward(id);
    return this.portForward(f.info.target, f.info.port, f.info.localPort);
  }

  /** Stops the port-forwards into a vcluster (and the ones inside it), e.g. when it is deleted or paused. */
  stopForwardsOf(ref: VClusterRef): number {
    const key = refKey(ref);
    let n = 0;
    for (const [id, f] of [...this.forwards]) {
      const k = refKey(f.info.target.ref);
      if (k === key || k.startsWith(`${key}|`)) {
        this.stopForward(id);
        n++;
      }
    }
    return n;
  }

  // ---- a terminal's kubeconfig ------------------------------------------------------------------------------------------

  /**
   * A private kubeconfig for the vcluster alone (0600 in a 0700 directory of its own) whose endpoint stays reachable
   * until remove(): for a terminal whose KUBECONFIG points at it. `folder`: where (terminalFolders() of privateFolder.ts).
   */
  async privateKubeconfig(ref: VClusterRef, folder: string): Promise<PrivateKubeconfig> {
    const hold = await this.holdVCluster(ref);
    let tunnelHold: { dispose(): void } | undefined;
    try {
      const { host, kubeconfig } = await this.model.virtualKubeconfig(ref);
      const endpoint = await chooseEndpoint(host, ref.namespace, ref.name, kubeconfig, this.tunnels);
      if (endpoint.kind === 'tunnel') tunnelHold = this.tunnels.hold(Number(new URL(endpoint.server).port));
      const written = writePrivateKubeconfig(contextNameFor(ref), kubeconfig, endpoint, folder);
      return {
        ...written,
        remove: () => {
          written.remove();
          tunnelHold?.dispose();
          hold.dispose();
        },
      };
    } catch (err) {
      // e.g. a folder refused for the file (privateFolder.ts)
      tunnelHold?.dispose();
      hold.dispose();
      throw err;
    }
  }

  /** Where a synced object went in the cluster the vcluster runs in; undefined for kinds the syncer does not copy. */
  hostTwin(t: ObjectTarget): { namespace: string; name: string } | undefined {
    const def = kindDef(t.kind);
    if (!def.synced) return undefined;
    // The rule of ResourceInfo.host (single-namespace mode).
    return { namespace: t.ref.namespace, name: hostName(t.name, t.namespace, t.ref.name) };
  }

  dispose(): void {
    for (const id of [...this.forwards.keys()]) this.stopForward(id);
    this.tunnelSub.dispose();
    this.apiResources.dispose();
    this.changes.dispose();
  }
}
