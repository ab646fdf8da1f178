// Helpers for driving the extension inside the real VS Code extension host: its API, settings, tree nodes, shown
// messages and integrated terminals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { TestingHandles, VClusterExplorerApi } from '../../../src/app/api';
import type { ContextNode, ExplorerNode, MessageNode, NamespaceNode, VClusterNode } from '../../../src/tree/nodes';
import { waitFor } from '../../harness/cluster/rest';

export { waitFor };
export type { ContextNode, ExplorerNode, MessageNode, NamespaceNode, VClusterNode };

/** The extension's id: `publisher.name` of package.json. */
export const EXTENSION_ID = 'vcluster-explorer.vcluster-explorer';

/** The API with the handles the extension adds only when VS Code runs its tests. */
export type TestedApi = VClusterExplorerApi & { readonly testing: TestingHandles };

export async function extensionApi(): Promise<TestedApi> {
  const ext = vscode.extensions.getExtension<VClusterExplorerApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  assert.ok(api.testing, "the API has its testing handles while VS Code runs the extension's tests");
  return api as TestedApi;
}

/** Sets a `vcluster.*` setting in the user settings of this (temporary) VS Code; undefined removes it. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('vcluster').update(key, value, vscode.ConfigurationTarget.Global);
}

export function item(node: ExplorerNode): vscode.TreeItem {
  return node.toTreeItem();
}

export function label(node: ExplorerNode): string {
  const l = item(node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

export function description(node: ExplorerNode): string[] {
  const d = item(node).description;
  return typeof d === 'string' && d ? d.split(' · ') : [];
}

export function iconId(node: ExplorerNode): string | undefined {
  const i = item(node).iconPath;
  return i instanceof vscode.ThemeIcon ? i.id : undefined;
}

export function tooltipText(node: ExplorerNode): string {
  const t = item(node).tooltip;
  return typeof t === 'string' ? t : (t?.value ?? '');
}

/** Tree access through the extension's own TreeDataProvider (what VS Code calls to render the view). */
export class Tree {
  constructor(private readonly api: TestedApi) {}

  children(node?: ExplorerNode): Promise<ExplorerNode[]> {
    return this.api.testing.tree.getChildren(node) as Promise<ExplorerNode[]>;
  }

  async contexts(): Promise<ContextNode[]> {
    return (await this.children()).filter((n): n is ContextNode => n.type === 'context');
  }

  async context(name: string): Promise<ContextNode> {
    const c = (await this.contexts()).find((n) => n.context === name);
    assert.ok(c, `no context node "${name}" in the tree`);
    return c;
  }

  /** The namespace nodes under a context (undefined entries are left out). */
  async namespaces(context: string): Promise<NamespaceNode[]> {
    return (await this.children(await this.context(context))).filter((n): n is NamespaceNode => n.type === 'namespace');
  }

  async namespace(context: string, namespace: string): Promise<NamespaceNode | undefined> {
    return (await this.namespaces(context)).find((n) => n.name === namespace);
  }

  /** The vcluster node of a top-level vcluster, or undefined when the tree does not show it. */
  async vcluster(context: string, namespace: string, name: string): Promise<VClusterNode | undefined> {
    const ns = await this.namespace(context, namespace);
    if (!ns) return undefined;
    return (await this.children(ns)).find((n): n is VClusterNode => n.type === 'vcluster' && n.ref.name === name);
  }

  /** Polls the tree (WITHOUT refreshing it) until `pick` returns something. */
  until<T>(what: string, pick: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    return waitFor(what, pick, timeoutMs, 200);
  }
}

export interface ShownMessage {
  readonly level: 'error' | 'warning' | 'info';
  readonly text: string;
}

/**
 * Records the messages the extension shows (showErrorMessage / showWarningMessage / showInformationMessage) while
 * still showing them. The test bundle lives inside the extension's folder, so VS Code hands it the very `vscode` API
 * object the extension uses; wrapping its functions observes the extension's calls. Dispose to restore.
 */
export function captureMessages(): { readonly messages: ShownMessage[]; errors(): string[]; dispose(): void } {
  const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const names = { error: 'showErrorMessage', warning: 'showWarningMessage', info: 'showInformationMessage' } as const;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  const messages: ShownMessage[] = [];
  for (const [level, fn] of Object.entries(names) as [ShownMessage['level'], string][]) {
    const original = w[fn]!;
    originals.set(fn, original);
    w[fn] = (...args: unknown[]) => {
      messages.push({ level, text: String(args[0]) });
      return original.apply(vscode.window, args);
    };
  }
  return {
    messages,
    errors: () => messages.filter((m) => m.level === 'error').map((m) => m.text),
    dispose: () => {
      for (const [fn, original] of originals) w[fn] = original;
    },
  };
}

let terminalCounter = 0;

/**
 * The value of $KUBECONFIG in a NEW integrated terminal: the terminal runs /bin/sh, which writes the variable to a file
 * (the file name is passed as an argument, never spliced into the script) and exits.
 */
export async function kubeconfigInNewTerminal(dir: string): Promise<string> {
  const out = path.join(dir, `terminal-env-${terminalCounter++}.txt`);
  const terminal = vscode.window.createTerminal({
    name: `vce-env-probe-${terminalCounter}`,
    shellPath: '/bin/sh',
    shellArgs: ['-c', 'printf %s "$KUBECONFIG" > "$1"', 'vce-env-probe', out],
  });
  try {
    await waitFor('the terminal to run and exit', async () => terminal.exitStatus !== undefined && fs.existsSync(out), 30_000, 100);
    assert.equal(terminal.exitStatus?.code, 0, 'the probe shell failed');
    return fs.readFileSync(out, 'utf8');
  } finally {
    terminal.dispose();
  }
}

/**
 * The last lines of the extension's log (its LogOutputChannel "vcluster", which VS Code writes to a file in the
 * extension's log folder, api.testing.logDir; the product's logger redacts secrets before writing). Printed when a
 * test fails.
 */
export function extensionLogTail(lines = 40, logDir?: string): string {
  const roots = logDir ? [logDir] : [path.resolve(os.homedir(), '..', 'user-data', 'logs')];
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 6) walk(p, depth + 1);
      else if (e.isFile() && /vcluster/i.test(e.name) && e.name.endsWith('.log')) found.push(p);
    }
  };
  for (const r of roots) walk(r, 0);
  if (found.length === 0) return '(the extension log was not found)';
  const newest = found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]!;
  return fs
    .readFileSync(newest, 'utf8')
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

/**
 * Records the items of every quick pick the extension shows (as captureMessages() does for messages) and answers each
 * with "dismissed", as a user pressing Escape would. Dispose to restore.
 */
export function captureQuickPicks(): { readonly picks: vscode.QuickPickItem[][]; dispose(): void } {
  const w = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = w.showQuickPick!;
  const picks: vscode.QuickPickItem[][] = [];
  w.showQuickPick = async (items: unknown) => {
    const resolved = (await items) as readonly (string | vscode.QuickPickItem)[];
    picks.push(resolved.map((i) => (typeof i === 'string' ? { label: i } : i)));
    return undefined;
  };
  return {
    picks,
    dispose: () => {
      w.showQuickPick = original;
    },
  };
}

/** The text of the extension's own log files (its output channel), for checks of what it logged. */
export function extensionLog(logDir: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.log')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(logDir)) walk(logDir);
  return out.join('\n');
}

/** An element of the rendered workbench: its text, its links (href and the data-href of Markdown) and its codicons. */
export interface RenderedElement {
  readonly text: string;
  readonly links: readonly { href: string | null; dataHref: string | null; text: string }[];
  readonly icons: readonly string[];
}

let domQueries = 0;

/**
 * The elements of the workbench page that match the CSS selector `query`, as Chromium renders them (optionally after
 * hovering the first match of `hover`): asked of scripts/lib/workbench.mjs, which drives the page, through a log line
 * and a file in $VCE_DOM_DIR.
 */
export async function renderedDom(query: string, opts: { hover?: string } = {}): Promise<RenderedElement[]> {
  const dir = process.env.VCE_DOM_DIR;
  assert.ok(dir, 'VCE_DOM_DIR is set by scripts/lib/workbench.mjs (runIntegrationTests)');
  const id = `q-${process.pid}-${domQueries++}`;
  const file = path.join(dir, `${id}.json`);
  console.log(`[vce-dom] ${JSON.stringify({ id, query, ...opts })}`);
  const answer = await waitFor(
    'the workbench to answer a DOM query',
    async () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { elements?: RenderedElement[]; error?: string }),
    30_000,
    100,
  );
  fs.rmSync(file, { force: true });
  if (answer.error !== undefined) throw new Error(`DOM query ${query}: ${answer.error}`);
  return answer.elements ?? [];
}
