// The production bundles (the options of `node scripts/build.mjs --production`), written to temporary folders:
// dist/ belongs to whoever builds in this working tree (the integration tests load it).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import { mkTmp } from './common';

export type EsbuildOptions = Record<string, unknown>;
export const PRODUCTION = { minify: true, sourcemap: false, legalComments: 'none', logLevel: 'error' } as const;

type BuildOptions = Record<'extensionOptions' | 'authProviderOptions', EsbuildOptions> & {
  readonly WEBVIEW_PAGES: readonly string[];
  pageOptions(page: string): EsbuildOptions;
};

export async function buildOptions(): Promise<BuildOptions> {
  return (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'build.mjs')).href)) as BuildOptions;
}

/** Builds dist/extension.js, dist/authProvider.js and the webviews' bundles for production into `dir`; returns the extension build's result. */
export async function buildProduction(dir: string): Promise<{ extFile: string; webFile: string; metafile: unknown }> {
  const build = await buildOptions();
  const esbuild = await import('esbuild');
  const extFile = path.join(dir, 'extension.js');
  const webFile = path.join(dir, 'mapping.js');
  const ext = await esbuild.build({ ...build.extensionOptions, ...PRODUCTION, outfile: extFile, metafile: true } as never);
  await esbuild.build({ ...build.authProviderOptions, ...PRODUCTION, outfile: path.join(dir, 'authProvider.js') } as never);
  for (const page of build.WEBVIEW_PAGES) await esbuild.build({ ...build.pageOptions(page), ...PRODUCTION, outfile: path.join(dir, `${page}.js`) } as never);
  return { extFile, webFile, metafile: (ext as { metafile: unknown }).metafile };
}

/** A folder laid out as the packaged extension (package.json, media/, production dist/), for a real VS Code. */
export async function extensionFolder(): Promise<string> {
  const dir = mkTmp('vce-bench-ext-');
  await buildProduction(path.join(dir, 'dist'));
  const codicons = path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist');
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(dir, 'dist', f));
  fs.cpSync(path.join(repoRoot, 'media'), path.join(dir, 'media'), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}
