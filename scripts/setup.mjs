#!/usr/bin/env node
// Installs everything the project needs on a fresh machine, each part only when it is missing:
//   node setup.mjs [all|apt|npm|tools|vscode] ...
// Debian packages (chromium, libkrb5-dev, openssl; containerd, runc, CNI plugins, iptables, busybox-static and gcc for
// the real node), Node runtimes, npm dependencies, the Go-built Kubernetes tools (with the node's kubelet,
// kube-scheduler, the vcluster syncer and kine), the node's images, the local vcluster chart repository, code-server.
// Prints `NODE=<path>` last, the runtime the other scripts run tests with.
import { ensureChartRepo, ensureNodeImages } from './lib/real-node.mjs';
import { ensureAptPackages, ensureCodeServer, ensureGoTools, ensureNode, ensureNpmDeps, mainWrapper, versions } from './lib/toolchain.mjs';

export async function setup(parts = ['all']) {
  const all = parts.includes('all');
  if (all || parts.includes('apt')) await ensureAptPackages();
  if (parts.every((p) => p === 'apt')) return undefined; // Debian packages only (.ci/run, before anything else)
  const node = await ensureNode(versions.nodeTest);
  if (all || parts.includes('npm')) await ensureNpmDeps(node);
  if (all || parts.includes('tools')) {
    await ensureGoTools();
    // The real node's images and the local chart repository (built from the tools above).
    await ensureNodeImages();
    await ensureChartRepo();
  }
  if (all || parts.includes('vscode')) await ensureCodeServer();
  return node;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mainWrapper(async () => {
    const node = await setup(process.argv.slice(2).length ? process.argv.slice(2) : ['all']);
    if (node) process.stdout.write(`NODE=${node}\n`);
  });
}
