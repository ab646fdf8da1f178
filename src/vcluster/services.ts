import fs from 'node:fs';
import path from 'node:path';
import { releaseLingeringLocks } from '../kube/kubeconfig/lock';
import { KubeconfigWriter } from '../kube/kubeconfig/writer';
import { TunnelManager } from '../kube/tunnel';
import type { MappingKind, MappingModel, VClusterInfo, VClusterRef } from '../shared/model';
import { ExplorerModel, withConnection } from './explorer';
import { fetchMapping, objectYaml, watchMapping } from './mapping';
import { refKey } from '../shared/refKey';
import type { KubeconfigState } from './kubeconfigState';
import type { VClusterDetails } from '../shared/describe';
import { UserFacingError } from '../shared/errors';
import { maskCredentials, readDeployedRelease, valuesYaml, type ReadRelease } from './config/helmRelease';
import { fetchDetails, watchDescribe } from './describeRead';
import { InsideVClusters } from './inside';
import * as operations from './operations';

// The domain services behind one object, which src/app/lazyServices.ts imports on first use, so that activation stays
// cheap. @kubernetes/client-node is not loaded here: only src/kube/authProvider.ts imports it (dist/authProvider.js).

export interface ServicesOptions {
  /** The user's kubeconfig files (setting override, else $KUBECONFIG, else ~/.kube/config). */
  readonly userFiles: () => string[];
  /** The merged kubeconfig the extension reads (with the workspace scope on, its own file comes first). */
  readonly kubeconfig: KubeconfigState;
  /** The extension's own kubeconfig for workspace-scoped contexts. */
  readonly workspaceKubeconfig: string;
  readonly backupDir: string;
  readonly timeoutMs: () => number;
  readonly nestedMaxDepth: () => number;
  readonly watch: () => boolean;
  readonly debounceMs: () => number;
  /** Namespaces to search per context when cluster-wide lists are forbidden. */
  readonly searchNamespaces?: (context: string) => readonly string[];
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

export class Services {
  readonly model: ExplorerModel;
  readonly tunnels: TunnelManager;
  /** Working inside vclusters: workloads, logs, exec, port-forwards, terminal kubeconfigs. */
  readonly inside: InsideVClusters;

  /** The domain operations of the command handlers (src/vcluster/operations.ts), loaded with the services. */
  readonly ops = operations;

  constructor(private readonly opts: ServicesOptions) {
    this.tunnels = new TunnelManager({ log: opts.log });
    this.model = new ExplorerModel({
      kubeconfig: opts.kubeconfig,
      timeoutMs: opts.timeoutMs,
      nestedMaxDepth: opts.nestedMaxDepth,
      watch: opts.watch,
      debounceMs: opts.debounceMs,
      tunnels: this.tunnels,
      searchNamespaces: opts.searchNamespaces,
      log: opts.log,
    });
    this.inside = new InsideVClusters(this.model, this.tunnels);
  }

  userFiles(): string[] {
    return this.opts.userFiles();
  }

  /**
   * The kubeconfig files the extension reads (with the workspace scope on, its own file first): the list whose
   * contexts the commands check and offer, so programs that get a context name (the vcluster CLI, Helm) get this list.
   */
  async kubeconfigFiles(): Promise<string[]> {
    return [...(await this.model.kubeconfig()).files];
  }

  /** The writer for the user's kubeconfig (global scope). */
  userWriter(): KubeconfigWriter {
    return new KubeconfigWriter({ files: this.userFiles(), backupDir: this.opts.backupDir });
  }

  /** The writer for the extension's workspace kubeconfig alone (new entries of workspace-scoped connects). */
  workspaceWriter(): KubeconfigWriter {
    this.ensureWorkspaceKubeconfig();
    return new KubeconfigWriter({ files: [this.opts.workspaceKubeconfig] });
  }

  /**
   * The writer for what a scope sees: global = the user's kubeconfig; workspace = the workspace kubeconfig first, then
   * the user's files (what the terminals' KUBECONFIG lists), so that current-context goes to the workspace file while
   * contexts defined in the user's files stay usable and removals happen where the entry lives.
   */
  scopedWriter(workspace: boolean): KubeconfigWriter {
    if (!workspace) return this.userWriter();
    this.ensureWorkspaceKubeconfig();
    return new KubeconfigWriter({ files: [this.opts.workspaceKubeconfig, ...this.userFiles()] });
  }

  private ensureWorkspaceKubeconfig(): void {
    const file = this.opts.workspaceKubeconfig;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) {
      // client-go writes current-context to the first file that exists: make sure it is this one.
      fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\npreferences: {}\n', { mode: 0o600, flag: 'wx' });
    }
  }

  /** Adds what depends on the kubeconfig (connected, current) and on the vcluster's secret (fields left out of it). */
  decorate(v: VClusterInfo): VClusterInfo {
    const ignored = this.model.ignoredKubeconfigFields(v.ref);
    return withConnection(ignored.length ? { ...v, ignoredKubeconfigFields: ignored } : v, this.model.snapshot());
  }

  /**
   * Every vcluster of a context, optionally with the nested ones (depth-first, to the depth limit). With
   * `onlyExpanded`, nested discovery goes only into vclusters the user holds open (an expanded node, an open view), so
   * that a quick pick never wakes a sleeping vcluster.
   */
  async listVClusters(context: string, nested: boolean, opts: { onlyExpanded?: boolean } = {}): Promise<VClusterInfo[]> {
    const top = (await this.model.vclusters(context)).namespaces.flatMap((n) => n.vclusters).map((v) => this.decorate(v));
    if (!nested) return top;
    const out: VClusterInfo[] = [];
    const walk = async (list: VClusterInfo[]) => {
      for (const v of list) {
        out.push(v);
        const depth = (v.ref.parents?.length ?? 0) + 1;
        if (depth > this.opts.nestedMaxDepth() || v.phase !== 'running') continue;
        if (opts.onlyExpanded && !this.model.isHeld(refKey(v.ref))) continue;
        try {
          const inner = (await this.model.nested(v.ref)).namespaces.flatMap((n) => n.vclusters).map((x) => this.decorate(x));
          await walk(inner);
        } catch (err) {
          this.opts.log('warn', `Nested discovery in ${v.ref.namespace}/${v.ref.name} failed: ${(err as Error).message}`);
        }
      }
    };
    await walk(top);
    return out;
  }

  async mapping(ref: VClusterRef, signal?: AbortSignal): Promise<MappingModel> {
    const host = await this.model.hostClientOf(ref);
    const { client: virtual } = await this.model.reach(ref);
    return fetchMapping({ ref, host, hostNamespace: ref.namespace, virtual, signal });
  }

  /** Calls onChange on any change of the mapped kinds on either side, until disposed (holding the vcluster meanwhile). */
  watchMapping(ref: VClusterRef, onChange: () => void): Promise<{ dispose(): void }> {
    return watchMapping(this.model, ref, onChange);
  }

  /** One object as YAML (managedFields dropped). The caller hides Secret data. */
  objectYaml(ref: VClusterRef, side: 'virtual' | 'host', kind: MappingKind, namespace: string, name: string): Promise<string> {
    return objectYaml(this.model, ref, side, kind, namespace, name);
  }

  /**
   * The deployed revision of the vcluster's Helm release (the one `helm upgrade` takes as current), or undefined when
   * it was not installed by Helm. Secrets that are not what they claim are skipped and named in `concerns`.
   */
  async helmRelease(ref: VClusterRef, signal?: AbortSignal): Promise<ReadRelease | undefined> {
    return readDeployedRelease(await this.model.hostClientOf(ref), ref.namespace, ref.name, signal);
  }

  private readonly shownReleases = new Map<string, ReadRelease>();

  /**
   * While held, the `values` document of REF shows exactly this release instead of reading it again: an upgrade shows
   * the values it is about to apply, not whatever a Secret says a moment later.
   */
  showRelease(ref: VClusterRef, release: ReadRelease): { dispose(): void } {
    const key = refKey(ref);
    this.shownReleases.set(key, release);
    return { dispose: () => this.shownReleases.get(key) === release && this.shownReleases.delete(key) };
  }

  /**
   * A deployed configuration as YAML with credentials hidden: `values` = the user-supplied values of the deployed
   * Helm revision (what `vcluster describe --config-only` prints); `running` = the merged configuration in Secret
   * vc-config-NAME.
   */
  async configText(ref: VClusterRef, kind: 'values' | 'running'): Promise<string> {
    if (kind === 'values') {
      const release = this.shownReleases.get(refKey(ref)) ?? (await this.helmRelease(ref));
      if (!release)
        throw new UserFacingError(
          `vcluster ${ref.name} in ${ref.namespace} has no Helm release (it was not installed by Helm), so there are no user-supplied values to show.`,
        );
      const concerns = release.concerns.map((c) => `# Warning: ${c.replace(/[\r\n]+/g, ' ')}\n`).join('');
      const header = `# vcluster ${ref.name} (${ref.namespace}): the values it was deployed with — Helm release revision ${release.revision}, ${release.status}${release.chartVersion ? `, chart ${release.chartVersion}` : ''} (Secret ${release.secretName}). Read-only; credentials hidden.\n${concerns}`;
      return header + valuesYaml(maskCredentials(release.config) as Record<string, unknown>);
    }
    const host = await this.model.hostClientOf(ref);
    const secret = await host.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ref.namespace}/secrets/vc-config-${ref.name}`);
    const raw = secret.data?.['config.yaml'];
    if (!raw) throw new UserFacingError(`Secret vc-config-${ref.name} in ${ref.namespace} has no config.yaml.`);
    const { parse } = await import('yaml');
    const cfg = parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    const header = `# vcluster ${ref.name} (${ref.namespace}): the configuration it runs with (Secret vc-config-${ref.name}: chart defaults merged with its values). Read-only; credentials hidden.\n`;
    return header + valuesYaml((maskCredentials(cfg ?? {}) ?? {}) as Record<string, unknown>);
  }

  /** What vcluster.describe shows, read from the cluster the vcluster runs in (never from the vcluster itself). */
  async describe(ref: VClusterRef, signal?: AbortSignal): Promise<VClusterDetails> {
    const snap = await this.model.kubeconfig();
    const cluster = await this.model.hostClientOf(ref);
    return fetchDetails(cluster, ref, {
      contexts: snap.contexts,
      ...(snap.currentContext ? { currentContext: snap.currentContext } : {}),
      tunnelPorts: this.tunnels.list().map((t) => t.localPort),
      ...(signal ? { signal } : {}),
    });
  }

  /** Calls onChange when what describe shows changes, until disposed. A nested vcluster's parent is held meanwhile. */
  watchDescribe(ref: VClusterRef, onChange: () => void): Promise<{ dispose(): void }> {
    return watchDescribe(this.model, ref, onChange);
  }

  dispose(): void {
    this.inside.dispose();
    this.model.dispose();
    this.tunnels.dispose();
    releaseLingeringLocks(); // a kubeconfig lock still kept after a write: the window is closing
  }
}
