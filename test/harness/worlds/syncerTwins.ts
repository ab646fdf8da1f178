// Objects inside a virtual cluster and the host twins vcluster's syncer would write for them (names, labels,
// annotations, owner references), for the worlds of worlds.ts.
import type { KObject } from '../cluster/rest';
import { randomBytes } from 'node:crypto';
import { hostLabels, namespaceLabelKey, versionAtLeast } from './vclusterRules';
import type { BuiltObject, BuiltVCluster, WorkloadSpec } from './worldTypes';
import { b64, ensureNamespace, nowIso } from './chartObjects';
import { hostName } from './vclusterRules';

/** apiVersion and plural of the kinds the fixtures and the harness create (kindInfo.Namespace is cluster-scoped). */
export const kindInfo: Record<string, { apiVersion: string; plural: string }> = {
  Namespace: { apiVersion: 'v1', plural: 'namespaces' },
  Pod: { apiVersion: 'v1', plural: 'pods' },
  Service: { apiVersion: 'v1', plural: 'services' },
  Endpoints: { apiVersion: 'v1', plural: 'endpoints' },
  ConfigMap: { apiVersion: 'v1', plural: 'configmaps' },
  Secret: { apiVersion: 'v1', plural: 'secrets' },
  PersistentVolumeClaim: { apiVersion: 'v1', plural: 'persistentvolumeclaims' },
  ServiceAccount: { apiVersion: 'v1', plural: 'serviceaccounts' },
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments' },
};

export function objPath(kind: string, ns: string, name?: string): string {
  const k = kindInfo[kind];
  if (!k) throw new Error(`unsupported kind ${kind}`);
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return `${base}/namespaces/${ns}/${k.plural}${name ? `/${name}` : ''}`;
}

export function virtualBody(kind: string, ns: string, name: string, labels: Record<string, string>): KObject {
  const metadata = { name, namespace: ns, labels };
  const k = kindInfo[kind]!;
  const o: KObject = { apiVersion: k.apiVersion, kind, metadata };
  switch (kind) {
    case 'Pod':
      o.spec = { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] };
      break;
    case 'Service':
      o.spec = { ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }], selector: { app: labels.app ?? name } };
      break;
    case 'Endpoints':
      o.subsets = [{ addresses: [{ ip: '10.244.0.42' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }];
      break;
    case 'ConfigMap':
      o.data = { 'app.properties': `name=${name}\n` };
      break;
    case 'Secret':
      o.type = 'Opaque';
      o.data = { password: b64('not-a-real-secret') };
      break;
    case 'PersistentVolumeClaim':
      o.spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
      break;
    case 'ServiceAccount':
      break;
    case 'Deployment':
      o.spec = {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      };
      break;
  }
  return o;
}

/**
 * What the syncer stores in an annotation vcluster.loft.sh/token-<random> of a host pod: the virtual service account
 * token the pod mounts. Here a JWT-shaped string that is no credential anywhere (unsigned), so that tests that look
 * for tokens where they must not be find this one too.
 */
export function fixtureToken(namespace: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'fixture' })}.${part({ sub: `system:serviceaccount:${namespace}:default`, fixture: true })}.${randomBytes(32).toString('base64url')}`;
}

/**
 * The host twin of a virtual object, as the syncer writes it when it creates it (single-namespace mode), compared
 * field by field with the real syncer's output in test/cluster/real-node-vcluster.test.ts. Endpoints are the
 * exception: the syncer leaves the Endpoints of a Service with a selector to the host's endpoints controller, so the
 * twin is what that controller writes (the host Service's labels, no vcluster annotations, no owner).
 */
export function hostTwin(vc: BuiltVCluster, kind: string, vObj: KObject, annotated: boolean): KObject {
  const vNs: string = vObj.metadata.namespace;
  const vName: string = vObj.metadata.name;
  const pName = hostName(vName, vNs, vc.name);
  const k = kindInfo[kind]!;
  const serviceUid = vc.serviceUid;
  const annotations: Record<string, string> = {};
  const labels = hostLabels(vObj.metadata.labels ?? {}, vc.name, vNs, vc.version);
  if (kind === 'Endpoints') {
    return {
      apiVersion: k.apiVersion,
      kind,
      metadata: {
        name: pName,
        namespace: vc.namespace,
        labels: { ...labels, 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': nowIso() },
      },
      subsets: vObj.subsets,
    };
  }
  if (kind === 'Pod' && versionAtLeast(vc.version, 0, 21)) {
    // Every label of the virtual namespace (at least kubernetes.io/metadata.name, which the API server sets).
    labels[namespaceLabelKey('kubernetes.io/metadata.name', vc.name)] = vNs;
  }
  if (annotated) {
    annotations['vcluster.loft.sh/object-name'] = vName;
    annotations['vcluster.loft.sh/object-namespace'] = vNs;
    annotations['vcluster.loft.sh/object-uid'] = vObj.metadata.uid;
    if (versionAtLeast(vc.version, 0, 21)) {
      annotations['vcluster.loft.sh/object-kind'] = `${k.apiVersion.includes('/') ? k.apiVersion : `/${k.apiVersion}`}, Kind=${kind}`;
      annotations['vcluster.loft.sh/object-host-name'] = pName;
      annotations['vcluster.loft.sh/object-host-namespace'] = vc.namespace;
    }
    if (kind === 'Pod') {
      annotations['vcluster.loft.sh/name'] = vName;
      annotations['vcluster.loft.sh/namespace'] = vNs;
      annotations['vcluster.loft.sh/uid'] = vObj.metadata.uid;
      annotations['vcluster.loft.sh/labels'] = Object.entries(vObj.metadata.labels ?? {})
        .map(([a, b]) => `${a}="${b}"`)
        .join('\n');
      annotations['vcluster.loft.sh/service-account-name'] = vObj.spec?.serviceAccountName ?? 'default';
      const owners: KObject[] = vObj.metadata.ownerReferences ?? [];
      if (owners.length) {
        annotations['vcluster.loft.sh/owner-references'] = JSON.stringify(owners);
        annotations['vcluster.loft.sh/owner-set-kind'] = owners[0]!.kind === 'ReplicaSet' ? 'Deployment' : owners[0]!.kind;
      }
      // Evictable when a controller owns the virtual pod (pods/translate/translator.go, v0.36.1).
      annotations['cluster-autoscaler.kubernetes.io/safe-to-evict'] = String(owners.some((o) => o.controller === true));
      annotations[
        `vcluster.loft.sh/token-${randomBytes(6)
          .toString('hex')
          .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!)
          .slice(0, 8)}`
      ] = fixtureToken(vNs);
    }
  }
  const metadata: KObject = {
    name: pName,
    namespace: vc.namespace,
    labels,
    annotations,
    ...(serviceUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: vc.name, uid: serviceUid, controller: false }] } : {}),
  };
  const o: KObject = { apiVersion: k.apiVersion, kind, metadata };
  switch (kind) {
    case 'Pod':
      o.spec = {
        ...vObj.spec,
        serviceAccountName: `vc-workload-${vc.name}`,
        automountServiceAccountToken: false,
      };
      delete o.spec.nodeName;
      break;
    case 'Service': {
      const sel: Record<string, string> = vObj.spec.selector ?? {};
      o.spec = {
        type: vObj.spec.type ?? 'ClusterIP',
        ports: vObj.spec.ports,
        selector: Object.keys(sel).length ? hostLabels(sel, vc.name, vNs, vc.version) : undefined,
      };
      break;
    }
    case 'Endpoints':
      o.subsets = vObj.subsets;
      break;
    case 'ConfigMap':
      o.data = vObj.data;
      break;
    case 'Secret':
      o.type = vObj.type;
      o.data = vObj.data;
      break;
    case 'PersistentVolumeClaim':
      o.spec = vObj.spec;
      break;
  }
  return o;
}

export async function syncToHost(vc: BuiltVCluster, kind: string, vObj: KObject, mode: 'synced' | 'unannotated'): Promise<BuiltObject> {
  const twin = hostTwin(vc, kind, vObj, mode === 'synced');
  let created = await vc.parentRest.ensure(objPath(kind, vc.namespace), twin);
  if (kind === 'Pod' && vObj.status?.phase) {
    created = await vc.parentRest.patch(objPath(kind, vc.namespace, created.metadata.name) + '/status', {
      status: {
        phase: vObj.status.phase,
        conditions: vObj.status.conditions,
        containerStatuses: vObj.status.containerStatuses,
        podIP: vObj.status.podIP,
        hostIP: vObj.status.hostIP,
        startTime: vObj.status.startTime,
      },
    });
  }
  // A nested vcluster's host is itself a virtual cluster: its syncer's output is synced on, one level up.
  if (vc.enclosing) vc.enclosing.objects.push(await syncToHost(vc.enclosing, kind, created, 'synced'));
  return {
    kind,
    apiVersion: kindInfo[kind]!.apiVersion,
    mode,
    virtual: { namespace: vObj.metadata.namespace, name: vObj.metadata.name, uid: vObj.metadata.uid },
    host: { namespace: vc.namespace, name: created.metadata.name, uid: created.metadata.uid },
  };
}

/** Adds one object to a built vcluster (in its virtual cluster and/or its host namespace) and records it. */
export async function addWorkload(vc: BuiltVCluster, w: WorkloadSpec): Promise<BuiltObject> {
  const mode = w.mode ?? (w.kind === 'Deployment' || w.kind === 'ServiceAccount' ? 'virtual-only' : 'synced');
  const labels = w.labels ?? { app: w.name.length <= 63 ? w.name : w.name.slice(0, 40).replace(/[-.]+$/, '') };
  const kind = w.kind;
  if (mode === 'host-only') {
    // An orphan: a host object that claims to be synced from a virtual object which does not exist.
    const fake = { metadata: { name: w.name, namespace: w.namespace, uid: cryptoUid(), labels }, ...virtualBody(kind, w.namespace, w.name, labels) };
    fake.metadata.uid = cryptoUid();
    const twin = hostTwin(vc, kind, fake, true);
    const created = await vc.parentRest.ensure(objPath(kind, vc.namespace), twin);
    return { kind, apiVersion: kindInfo[kind]!.apiVersion, mode, host: { namespace: vc.namespace, name: created.metadata.name, uid: created.metadata.uid } };
  }
  if (!vc.virtual) throw new Error(`vcluster ${vc.namespace}/${vc.name} has no virtual API server`);
  const vrest = vc.virtual.rest;
  await ensureNamespace(vrest, w.namespace);
  let vObj = await vrest.ensure(objPath(kind, w.namespace), virtualBody(kind, w.namespace, w.name, labels));
  if (kind === 'Pod') {
    const now = nowIso();
    vObj = await vrest.patch(objPath(kind, w.namespace, w.name) + '/status', {
      status: {
        phase: 'Running',
        hostIP: '10.1.0.10',
        podIP: `10.244.1.${10 + Math.floor(Math.random() * 200)}`,
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: [
          { name: 'app', image: 'nginx:1.27', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } },
        ],
      },
    });
  }
  if (mode === 'virtual-only') {
    return { kind, apiVersion: kindInfo[kind]!.apiVersion, mode, virtual: { namespace: w.namespace, name: w.name, uid: vObj.metadata.uid } };
  }
  return syncToHost(vc, kind, vObj, mode);
}

export function cryptoUid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
