// The images and the chart for real vclusters on a real node (test/harness/node/node.ts), and what a machine lacks to run
// one. Built from the cache toolchain.mjs fills (Go-built tools, Debian packages); plain Node ESM without dependencies.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeImageArchive } from './image-archive.mjs';
import { SetupError, cacheRoot, childEnv, elapsed, ensureGoTools, log, repoRoot, run, toolPath, vclusterChartDir, versions, which } from './toolchain.mjs';

function upstreamVersion(debianVersion) {
  // "1:1.35.0-4+deb12u1+b1" -> "1.35.0": without the epoch and the Debian revision.
  return debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

function installedDebianVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', env: childEnv() });
  if (r.status !== 0 || !r.stdout) throw new SetupError(`the Debian package ${pkg} is not installed (npm run setup installs it)`);
  return upstreamVersion(r.stdout.trim());
}

/**
 * The images of the real node, built locally (no registry is ever asked): the sandbox image (kubernetes' own pause.c
 * compiled statically), a busybox image for workloads, the vcluster image (busybox + the syncer, entrypoint
 * `/vcluster start` as vcluster's Dockerfile.release) and the control-plane image the chart's init container copies
 * /kubernetes from (kube-apiserver, kube-controller-manager and kine). Refs and cache files carry the versions.
 */
export function nodeImages() {
  const busybox = installedDebianVersion('busybox-static');
  const dir = path.join(cacheRoot(), 'images');
  const vc = versions.vcluster.slice(1);
  return {
    pause: { ref: `localhost/pause:${versions.kubernetes}`, file: path.join(dir, `pause-${versions.kubernetes}.tar`) },
    // "library/": the syncer names a one-part repository the Docker Hub way (rewriteHosts.initContainer.image).
    busybox: { ref: `localhost/library/busybox:${busybox}`, file: path.join(dir, `library-busybox-${busybox}.tar`) },
    vcluster: { ref: `localhost/vcluster:${vc}`, file: path.join(dir, `vcluster-${vc}-busybox-${busybox}.tar`) },
    kubernetes: {
      ref: `localhost/kubernetes:${versions.kubernetes}`,
      file: path.join(dir, `kubernetes-${versions.kubernetes}-kine-${versions.kine}-busybox-${busybox}.tar`),
    },
  };
}

/** Module source directory of a Go module required by one of the wrapper modules in tools/. */
async function goModuleDir(wrapper, module) {
  const out = await run('go', ['list', '-m', '-f', '{{.Dir}}', module], { cwd: path.join(repoRoot, 'tools', wrapper) });
  return out.trim();
}

/** A busybox root file system: the static busybox with every applet linked to it, a root user and the usual dirs. */
function busyboxRootfs(dir) {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  const applets = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8', env: childEnv() })
    .stdout.split('\n')
    .filter((a) => a && a !== 'busybox');
  for (const a of applets) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
}

/** Builds the node images (all, or those named) that are missing from the cache (see nodeImages()); returns nodeImages(). */
export async function ensureNodeImages(names = ['pause', 'busybox', 'vcluster', 'kubernetes']) {
  const images = nodeImages();
  const missing = Object.entries(images).filter(([n, i]) => names.includes(n) && !fs.existsSync(i.file));
  if (missing.length === 0) return images;
  const needs = { pause: ['kubernetes'], busybox: [], vcluster: ['syncer'], kubernetes: ['kubernetes', 'kine'] };
  await ensureGoTools([...new Set(missing.flatMap(([n]) => needs[n]))]);
  const start = Date.now();
  log(`building the node images: ${missing.map(([n]) => n).join(', ')}`);
  fs.mkdirSync(path.dirname(images.pause.file), { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-images-'));
  try {
    for (const [name, image] of missing) {
      const root = path.join(work, name);
      fs.mkdirSync(root, { recursive: true });
      let entrypoint;
      let cmd;
      if (name === 'pause') {
        const src = path.join(await goModuleDir('kubernetes', 'k8s.io/kubernetes'), 'build', 'pause', 'linux', 'pause.c');
        await run('gcc', ['-Os', '-static', '-Wall', `-DVERSION=${versions.kubernetes}`, '-o', path.join(root, 'pause'), src], { label: 'gcc pause' });
        entrypoint = ['/pause'];
      } else {
        busyboxRootfs(root);
        if (name === 'busybox') cmd = ['/bin/sh'];
        if (name === 'vcluster') {
          fs.copyFileSync(toolPath('vcluster-syncer'), path.join(root, 'vcluster'));
          fs.chmodSync(path.join(root, 'vcluster'), 0o755);
          entrypoint = ['/vcluster', 'start'];
        }
        if (name === 'kubernetes') {
          fs.mkdirSync(path.join(root, 'kubernetes'));
          for (const b of ['kube-apiserver', 'kube-controller-manager', 'kine']) {
            fs.copyFileSync(toolPath(b), path.join(root, 'kubernetes', b));
            fs.chmodSync(path.join(root, 'kubernetes', b), 0o755);
          }
          cmd = ['/bin/sh'];
        }
      }
      const r = writeImageArchive({ rootfs: root, ref: image.ref, out: image.file, entrypoint, cmd });
      log(`  ${image.ref}: ${(r.size / 1e6).toFixed(0)} MB`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`node images built in ${elapsed(start)}`);
  return images;
}

/** Where ensureChartRepo() puts the chart repository (it may not exist yet). */
export function chartRepoDir() {
  return path.join(cacheRoot(), 'charts', `vcluster-${versions.vcluster.slice(1)}`);
}

/**
 * A Helm chart repository (index.yaml + the packaged chart) with the vcluster chart of the Go module, stamped with
 * the CLI's version as vcluster's release does (the module's Chart.yaml says 0.0.1). The harness serves this directory
 * on loopback so that `vcluster create --chart-repo` installs the chart exactly as it does for a user.
 */
export async function ensureChartRepo() {
  const version = versions.vcluster.slice(1);
  const dir = chartRepoDir();
  if (fs.existsSync(path.join(dir, 'index.yaml')) && fs.existsSync(path.join(dir, `vcluster-${version}.tgz`))) return dir;
  await ensureGoTools(['helm', 'vcluster']);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-helm-'));
  try {
    const env = childEnv({
      set: { HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') },
    });
    await run(toolPath('helm'), ['package', await vclusterChartDir(), '--version', version, '--app-version', version, '--destination', tmp], { env });
    await run(toolPath('helm'), ['repo', 'index', tmp], { env });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(tmp, dir);
  log(`packaged the vcluster chart ${version} into a local chart repository`);
  return dir;
}

/** The environment variable that lets a machine which cannot run a real node skip the suites that need one. */
export const SKIP_REAL_NODE_ENV = 'VCE_SKIP_REAL_NODE';

/**
 * What this machine lacks to run a real node (containerd, runc and a kubelet; test/harness/node/node.ts), one sentence per
 * missing thing; [] when it can. Checked without changing anything on the machine except a throw-away overlay mount.
 */
export function realNodeSupport() {
  const missing = [];
  if (process.platform !== 'linux') return [`a real node needs Linux (this is ${process.platform})`];
  if (process.getuid?.() !== 0)
    missing.push('a real node needs root (containerd, runc, network bridges, mounts and cgroups); run the tests as root, e.g. in a VM or CI machine');
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  for (const [bit, name] of [
    [12, 'CAP_NET_ADMIN'],
    [21, 'CAP_SYS_ADMIN'],
  ]) {
    if (!(capEff & (1n << BigInt(bit)))) missing.push(`the capability ${name} (this process does not have it: an unprivileged container?)`);
  }
  if (!/\toverlay$/m.test(fs.readFileSync('/proc/filesystems', 'utf8'))) {
    missing.push(
      "the overlay file system (containerd's overlayfs snapshotter): /proc/filesystems does not list it; load the kernel module with `modprobe overlay`",
    );
  }
  if (
    !fs.existsSync('/sys/fs/cgroup/memory') &&
    !/\bmemory\b/.test(fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8') : '')
  ) {
    missing.push('cgroups with the memory controller under /sys/fs/cgroup');
  }
  const programs = { containerd: 'containerd', ctr: 'containerd', runc: 'runc', ip: 'iproute2', umount: 'mount', gcc: 'gcc', 'iptables-save': 'iptables' };
  for (const [prog, pkg] of Object.entries(programs)) if (!which(prog)) missing.push(`the program ${prog} (Debian package ${pkg})`);
  for (const plugin of ['bridge', 'host-local', 'loopback']) {
    if (!fs.existsSync(path.join('/usr/lib/cni', plugin))) missing.push(`the CNI plugin /usr/lib/cni/${plugin} (Debian package containernetworking-plugins)`);
  }
  if (!fs.existsSync('/bin/busybox')) missing.push('/bin/busybox (Debian package busybox-static)');
  if (missing.length === 0) {
    // The one definite overlay test: mount one (in a temp dir) and unmount it again.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-overlay-check-'));
    try {
      for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(dir, d));
      const r = spawnSync(
        'mount',
        ['-t', 'overlay', 'overlay', '-o', `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`, path.join(dir, 'merged')],
        { encoding: 'utf8', env: childEnv() },
      );
      if (r.status !== 0) missing.push(`an overlay mount in ${os.tmpdir()} (containerd's overlayfs snapshotter): mount said ${(r.stderr || r.stdout).trim()}`);
      else spawnSync('umount', [path.join(dir, 'merged')], { env: childEnv() });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return missing;
}
