// The Go-built tools (kube-apiserver, etcd, kubectl, Helm, the vcluster CLI and syncer, kine, ...): built from the
// wrapper modules in tools/ with `go build` into the version-keyed cache, and located there.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { childEnv, run, which } from './child-env.mjs';
import { cacheRoot, elapsed, log, repoRoot, SetupError, versions } from './versions.mjs';

const kubeMinor = versions.kubernetes.split('.')[1];
const kubeLdflags = [
  '-s',
  '-w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${versions.kubernetes}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${kubeMinor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]),
].join(' ');

/** A short hash of the .go files of a folder (the cache key of a tool whose source lives in this repository). */
function sourceHash(dir) {
  const h = createHash('sha256');
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.go'))
    .sort())
    h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

/**
 * Each Go tool: the wrapper module in tools/ (`module`, default: the tool's own name), the packages it builds, and the
 * binaries that result.
 */
export const goTools = {
  kubernetes: {
    version: versions.kubernetes,
    packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kubectl'],
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kubectl'],
    flags: ['-tags', 'selinux,notest', '-ldflags', kubeLdflags],
  },
  etcd: {
    version: versions.etcd,
    packages: ['go.etcd.io/etcd/server/v3'],
    binaries: ['etcd'],
    rename: { server: 'etcd' },
    flags: ['-ldflags', '-s -w'],
  },
  helm: {
    version: versions.helm,
    packages: ['helm.sh/helm/v3/cmd/helm'],
    binaries: ['helm'],
    flags: ['-ldflags', `-s -w -X helm.sh/helm/v3/internal/version.version=${versions.helm}`],
  },
  vcluster: {
    version: versions.vcluster,
    packages: ['github.com/loft-sh/vcluster/cmd/vclusterctl'],
    binaries: ['vcluster'],
    rename: { vclusterctl: 'vcluster' },
    flags: [
      '-ldflags',
      `-s -w -X github.com/loft-sh/vcluster/pkg/telemetry.SyncerVersion=${versions.vcluster.slice(1)} -X main.version=${versions.vcluster.slice(1)}`,
    ],
  },
  // The rest is for real vclusters on a real node (test/harness/node/node.ts). Same module as the control plane, so the Go
  // build cache is shared and only the node commands are compiled on top.
  node: {
    version: versions.kubernetes,
    module: 'kubernetes',
    packages: ['k8s.io/kubernetes/cmd/kubelet', 'k8s.io/kubernetes/cmd/kube-scheduler'],
    binaries: ['kubelet', 'kube-scheduler'],
    flags: ['-tags', 'selinux,notest', '-ldflags', kubeLdflags],
  },
  // The syncer: what vcluster's own image runs as `vcluster start` (its Dockerfile.release, v0.36.1). Built from the
  // CLI's wrapper module (the same build cache); its command is also called vcluster, so it is renamed here.
  syncer: {
    version: versions.vcluster,
    module: 'vcluster',
    packages: ['github.com/loft-sh/vcluster/cmd/vcluster'],
    binaries: ['vcluster-syncer'],
    rename: { vcluster: 'vcluster-syncer' },
    flags: ['-ldflags', `-s -w -X github.com/loft-sh/vcluster/pkg/telemetry.SyncerVersion=${versions.vcluster.slice(1)}`],
  },
  // vcluster's own conversion of old vcluster.yaml keys, run by scripts/vcluster-config-data.mjs (the source is ours,
  // in tools/vcluster/configmigrations): keyed by the module version and the source, so an edit rebuilds it.
  configmigrations: {
    version: `${versions.vcluster}-${sourceHash(path.join(repoRoot, 'tools', 'vcluster', 'configmigrations'))}`,
    module: 'vcluster',
    packages: ['./configmigrations'],
    binaries: ['configmigrations'],
    flags: ['-ldflags', '-s -w'],
  },
  kine: {
    version: versions.kine,
    packages: ['github.com/k3s-io/kine'],
    binaries: ['kine'],
    flags: ['-ldflags', `-s -w -X github.com/k3s-io/kine/pkg/version.Version=${versions.kine}`],
  },
};

export function toolDir(name) {
  return path.join(cacheRoot(), 'tools', `${name}-${goTools[name].version}`);
}

/** Absolute path of a tool binary in the cache (it may not exist yet). */
export function toolPath(binary) {
  for (const [name, t] of Object.entries(goTools)) {
    if (t.binaries.includes(binary)) return path.join(toolDir(name), binary);
  }
  throw new Error(`unknown tool ${binary}`);
}

/** The vcluster chart shipped inside the vcluster Go module (the CLI built with `go build` embeds none). */
export async function vclusterChartDir() {
  const out = await run('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/loft-sh/vcluster'], { cwd: path.join(repoRoot, 'tools', 'vcluster') });
  const dir = path.join(out.trim(), 'chart');
  if (!fs.existsSync(path.join(dir, 'Chart.yaml'))) throw new SetupError(`the vcluster chart was not found at ${dir}`);
  return dir;
}

export async function ensureGoTools(names = Object.keys(goTools)) {
  const missing = names.filter((n) => goTools[n].binaries.some((b) => !fs.existsSync(path.join(toolDir(n), b))));
  if (missing.length === 0) return;
  if (!which('go')) {
    throw new SetupError(
      `Go is needed to build ${missing.join(', ')} (the Kubernetes control plane used by the tests and the demo). Install Go 1.24 or newer (https://go.dev/dl/) and put it on PATH.`,
    );
  }
  for (const name of missing) {
    const t = goTools[name];
    const out = toolDir(name);
    const tmp = `${out}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const start = Date.now();
    log(`building ${name} ${t.version} from Go modules (${t.binaries.join(', ')}); a cold build can take several minutes`);
    await run('go', ['build', '-trimpath', ...t.flags, '-o', tmp + path.sep, ...t.packages], {
      cwd: path.join(repoRoot, 'tools', t.module ?? name),
      env: childEnv({ set: { CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly' } }),
      label: `go build ${name}`,
    });
    for (const [from, to] of Object.entries(t.rename ?? {})) fs.renameSync(path.join(tmp, from), path.join(tmp, to));
    for (const b of t.binaries) {
      if (!fs.existsSync(path.join(tmp, b))) throw new SetupError(`building ${name} did not produce ${b}`);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
    log(`built ${name} ${t.version} in ${elapsed(start)}`);
  }
}
