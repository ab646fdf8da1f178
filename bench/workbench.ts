// 8. The real workbench, as the integration suite runs it: code-server (VS Code) with the extension in headless
// Chromium (scripts/lib/vscode-host.mjs), a kubeconfig holding the big world's host and a few more contexts on it.
// Per run: a fresh load of the window until the first rows of the Clusters view are on screen (from the page's
// navigation start), and a click on a context's inline switch button until the status bar names that context.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import type { HostCluster } from '../test/harness/cluster/controlPlane';
import { extensionFolder } from './bundles';
import { mkTmp, say, sleep, wrong } from './common';
import { type Summary, fmtMs, summarize } from './stats';

interface VsCodeHost {
  startCodeServer(o: object): Promise<{ stop(): Promise<void>; workbenchUrl(o?: object): string }>;
  openWorkbench(o: object): Promise<{ page: Page; stop(): Promise<void> }>;
  showViewContainer(page: Page, title: string): Promise<void>;
}

const EXTRA_CONTEXTS = 40;
const extra = (i: number) => `bench-ctx-${String(i).padStart(3, '0')}`;

/** The host's kubeconfig with EXTRA_CONTEXTS more contexts on the same cluster and user. */
function workbenchKubeconfig(host: HostCluster): string {
  const kc = parseYaml(host.kubeconfig) as { contexts: { name: string; context: Record<string, string> }[] };
  const base = kc.contexts[0]!;
  for (let i = 0; i < EXTRA_CONTEXTS; i++) kc.contexts.push({ name: extra(i), context: { ...base.context } });
  return toYaml(kc);
}

export interface WorkbenchResult {
  contexts: number;
  windowToTreeRowsMs: Summary;
  switchClickToStatusBarMs: Summary;
  runs: number;
  note: string;
}

export async function measureWorkbench(host: HostCluster, runs: number): Promise<WorkbenchResult> {
  const vh = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'vscode-host.mjs')).href)) as VsCodeHost;
  const dir = mkTmp('vce-bench-wb-');
  const workspace = path.join(dir, 'workspace');
  fs.mkdirSync(workspace);
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, workbenchKubeconfig(host), { mode: 0o600 });
  const server = await vh.startCodeServer({ extensionDevelopmentPath: await extensionFolder(), workspace, env: { KUBECONFIG: kubeconfig } });
  const load: number[] = [];
  const click: number[] = [];
  try {
    const wb = await vh.openWorkbench({ server });
    const { page } = wb;
    try {
      await vh.showViewContainer(page, 'vcluster');
      await treeRows(page, host.contextName, 120_000);
      for (let run = -1; run < runs; run++) {
        // a fresh window: navigation start → the first context row of the Clusters view on screen
        await page.goto(server.workbenchUrl(), { waitUntil: 'commit' });
        let ms: number;
        try {
          ms = await treeRows(page, host.contextName, 60_000);
        } catch {
          // the workbench did not restore the vcluster view: open it (the time then includes the click)
          await vh.showViewContainer(page, 'vcluster');
          ms = await treeRows(page, host.contextName, 60_000);
        }
        if (run >= 0) load.push(ms);
        // a click on the inline switch button of another context → the status bar names it
        const target = extra((run + 1) % EXTRA_CONTEXTS);
        const row = page.locator(`.part.sidebar .monaco-list-row[aria-label="Context ${target}"]`).first();
        await row.scrollIntoViewIfNeeded();
        await row.hover();
        await page.evaluate(() => {
          (window as unknown as { __down: number }).__down = 0;
          window.addEventListener(
            'mousedown',
            (e) => {
              (window as unknown as { __down: number }).__down = e.timeStamp;
            },
            { capture: true, once: true },
          );
        });
        await row.locator('.actions .action-label[aria-label^="Switch Kubeconfig Context"]').click();
        const dt = await page
          .waitForFunction(
            (name) => {
              const items = [...document.querySelectorAll('.part.statusbar [aria-label]')];
              if (!items.some((e) => e.getAttribute('aria-label') === `Kubernetes context ${name}`)) return false;
              return performance.now() - (window as unknown as { __down: number }).__down;
            },
            target,
            { timeout: 60_000 },
          )
          .then((h) => h.jsonValue() as Promise<number>);
        const current = /^current-context: *"?([^"\n]*)"?/m.exec(fs.readFileSync(kubeconfig, 'utf8'))?.[1];
        if (current !== target) wrong(`workbench: the status bar names ${target}, the kubeconfig's current-context is ${current}`);
        if (run >= 0) click.push(dt);
        await sleep(300);
      }
    } finally {
      await wb.stop();
    }
  } finally {
    await server.stop();
  }
  const result = {
    contexts: EXTRA_CONTEXTS + 1,
    windowToTreeRowsMs: summarize(load),
    switchClickToStatusBarMs: summarize(click),
    runs,
    note: 'code-server (VS Code web) in headless Chromium on this machine; load = navigation start of a fresh window until the first context row of the Clusters view is in the DOM and visible; switch = mousedown on the inline button until the status bar item is labelled with the context',
  };
  say(`workbench: window → tree rows ${fmtMs(result.windowToTreeRowsMs)}; switch click → status bar ${fmtMs(result.switchClickToStatusBarMs)}`);
  return result;
}

/** Milliseconds since the page's navigation start when the row of `context` is on screen in the Clusters view. */
async function treeRows(page: Page, context: string, timeout: number): Promise<number> {
  const h = await page.waitForFunction(
    (name) => {
      const row = [...document.querySelectorAll('.part.sidebar .monaco-list-row')].find((r) =>
        (r.getAttribute('aria-label') ?? '').startsWith(`Context ${name}`),
      );
      if (!row) return false;
      const box = row.getBoundingClientRect();
      return box.height > 0 && box.width > 0 ? performance.now() : false;
    },
    context,
    { timeout, polling: 'raf' },
  );
  return (await h.jsonValue()) as number;
}
