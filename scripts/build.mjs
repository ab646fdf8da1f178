#!/usr/bin/env node
// Builds the bundles with esbuild:
//   dist/extension.js  Node, CommonJS, `vscode` external (minified with --production)
//   dist/authProvider.js  @kubernetes/client-node for kubeconfig users with an auth-provider, loaded by the extension
//                      bundle only for such a user (src/kube/authProvider.ts)
//   dist/<page>.js     one browser bundle per webview page, webview-ui/<page>/main.ts (WEBVIEW_PAGES): mapping.js
//                      (the mapping view), describe.js (a vcluster's describe view), objectDescribe.js (the describe
//                      view of an object inside a vcluster); plus dist/codicon.css|ttf for their icons
// and, with --tests, the integration suite (out/integration/*.js) that runs inside the VS Code extension host.
// Type checking is separate: `npm run typecheck` (tsc --noEmit over each tsconfig).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

/** Reports build errors in the `file:line:col: error: …` form VS Code's $esbuild-watch problem matcher reads. */
const problemReporter = {
  name: 'problem-reporter',
  setup(build) {
    if (watch) build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      if (watch) console.log('[watch] build finished');
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: production ? 'none' : 'inline',
  plugins: [problemReporter],
  absWorkingDir: root,
};

/**
 * Leaves `import('./authProvider')` (src/kube/credentials.ts) to run time: it becomes require('./authProvider.js'),
 * the bundle built beside dist/extension.js, so that @kubernetes/client-node is not part of the extension's bundle.
 */
const authProviderApart = {
  name: 'auth-provider-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/authProvider$/ }, (a) =>
      a.importer.endsWith(path.join('src', 'kube', 'credentials.ts')) ? { path: './authProvider.js', external: true } : undefined,
    );
  },
};

const nodeBundle = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode'],
  // @kubernetes/client-node ships ESM; esbuild bundles it into the CommonJS output. `mainFields` prefers `module`
  // so that tree shaking works, then falls back to `main`.
  mainFields: ['module', 'main'],
  metafile: true,
};

export const extensionOptions = {
  ...nodeBundle,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  plugins: [...common.plugins, authProviderApart],
  // import() of that bundle as a plain require(), as CommonJS code in every extension host loads files.
  supported: { 'dynamic-import': false },
};

export const authProviderOptions = {
  ...nodeBundle,
  entryPoints: ['src/kube/authProvider.ts'],
  outfile: 'dist/authProvider.js',
};

/** The webview pages, each webview-ui/<page>/main.ts bundled as dist/<page>.js (a panel's PanelKind names its page). */
export const WEBVIEW_PAGES = ['mapping', 'describe', 'objectDescribe'];

/** The esbuild options of one webview page. */
export function pageOptions(page) {
  return {
    ...common,
    entryPoints: [`webview-ui/${page}/main.ts`],
    outfile: `dist/${page}.js`,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    metafile: true,
  };
}

function integrationTestEntries() {
  const dir = path.join(root, 'test', 'integration');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `test/integration/${f}`);
}

export const testOptions = {
  ...common,
  sourcemap: 'inline',
  minify: false,
  entryPoints: integrationTestEntries(),
  outdir: 'out/integration',
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['vscode', 'mocha'],
  mainFields: ['module', 'main'],
  // The tests bundle the harness, whose ESM helpers (scripts/lib/toolchain.mjs) read import.meta.url; in CommonJS
  // that becomes the bundle's own file URL (out/integration/x.js, two levels below the repository like scripts/lib).
  define: { 'import.meta.url': '__vce_import_meta_url' },
  banner: { js: 'const __vce_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};

function copyCodicons() {
  const src = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(src, f), path.join(root, 'dist', f));
}

async function main() {
  const configs = [extensionOptions, authProviderOptions];
  for (const page of WEBVIEW_PAGES) if (fs.existsSync(path.join(root, 'webview-ui', page, 'main.ts'))) configs.push(pageOptions(page));
  if (args.has('--tests') && testOptions.entryPoints.length) configs.push(testOptions);
  copyCodicons();
  if (watch) {
    for (const c of configs) await (await esbuild.context(c)).watch();
    return;
  }
  const results = await Promise.all(configs.map((c) => esbuild.build(c)));
  for (const r of results) {
    for (const [file, info] of Object.entries(r.metafile?.outputs ?? {})) {
      if (file.endsWith('.js')) console.log(`${file}  ${(info.bytes / 1024).toFixed(0)} KiB`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch(() => process.exit(1));
}
