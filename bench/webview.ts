// 7. The mapping view in a real browser: the built webview page in headless Chromium under the panel's Content
// Security Policy (scripts/lib/webview-page.mjs), fed models of 1,000 to 50,000 rows. Per size: the message the
// panel posts (its wire form against the plain model), the time from the message to the first complete paint (the
// table marks `vce-table-painted` after the browser painted it), the time from a keystroke in the filter to the
// updated table, and the frames during a scroll through the whole table.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../scripts/lib/toolchain.mjs';
import { encodeMappingModel } from '../src/shared/mappingWire';
import { digestKeys, rowKey } from '../src/shared/mappingProtocol';
import { sampleModel } from '../webview-ui/mapping/sampleModel';
import { DEFAULT_PREFS, tableView } from '../webview-ui/mapping/view';
import { say, wrong } from './common';
import { type Summary, fmtBytes, fmtMs, summarize } from './stats';

interface WebviewPage {
  page: import('playwright-core').Page;
  problems: string[];
  open(theme: string, size?: { width: number; height: number }): Promise<void>;
  lastRendered(): Promise<{ rows: number; matching: number; total: number; digest: string } | undefined>;
  collectViolations(): Promise<void>;
  close(): Promise<void>;
}

export interface WebviewPoint {
  rows: number;
  messageBytes: number;
  plainMessageBytes: number;
  firstPaintMs: Summary;
  filterKeystrokeMs: Summary;
  scroll: { frames: number; frameMs: Summary; longFrames: number; rowsInDomMax: number };
  rowsInDom: number;
}

const FILTER_TEXT = 'web-1';

export async function measureWebview(sizes: readonly number[], runs: number): Promise<{ bundleBytes: number; points: WebviewPoint[] }> {
  const lib = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'lib', 'webview-page.mjs')).href)) as {
    ensureWebviewBundle(): Promise<number>;
    openWebviewPage(o?: object): Promise<WebviewPage>;
  };
  const bundleBytes = await lib.ensureWebviewBundle();
  const wp = await lib.openWebviewPage({ viewport: { width: 1400, height: 1000 } });
  const { page } = wp;
  const points: WebviewPoint[] = [];
  try {
    for (const n of sizes) {
      const model = sampleModel({ rows: n, namespaces: Math.max(8, Math.round(n / 400)), seed: n });
      if (model.rows.length !== n) throw new Error(`the sample model has ${model.rows.length} rows, not ${n}`);
      const message = JSON.stringify({ type: 'model', model: encodeMappingModel(model) });
      const plainMessageBytes = Buffer.byteLength(JSON.stringify({ type: 'model', model }));
      const expectAll = digestKeys(tableView(model.rows, DEFAULT_PREFS).rows.map(rowKey));
      const filtered = tableView(model.rows, { ...DEFAULT_PREFS, text: FILTER_TEXT });
      const first: number[] = [];
      const keys: number[] = [];
      let scroll: WebviewPoint['scroll'] | undefined;
      let rowsInDom = 0;
      for (let run = -1; run < runs; run++) {
        await wp.open('dark');
        await page.evaluate(() => {
          (window as unknown as { __kd: number }).__kd = 0;
          window.addEventListener(
            'keydown',
            (e) => {
              (window as unknown as { __kd: number }).__kd = e.timeStamp;
            },
            true,
          );
        });
        // As VS Code delivers it: the renderer parses the JSON and hands the object to the webview's frame.
        const paint = await page.evaluate(async (text) => {
          const msg = JSON.parse(text) as unknown;
          performance.clearMarks();
          const t0 = performance.now();
          window.postMessage(msg, '*');
          for (;;) {
            const m = performance.getEntriesByName('vce-table-painted');
            if (m.length) return m[0]!.startTime - t0;
            await new Promise((r) => setTimeout(r, 5));
          }
        }, message);
        await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'rendered'), null, {
          timeout: 60_000,
        });
        const r = await wp.lastRendered();
        if (!r || r.total !== n || r.matching !== n || r.digest !== expectAll)
          wrong(`webview ${n} rows: reported ${JSON.stringify(r)}, expected all ${n} rows (digest ${expectAll})`);
        rowsInDom = r?.rows ?? 0;
        if (rowsInDom > 100) wrong(`webview ${n} rows: ${rowsInDom} rows in the DOM, only those in view should be`);
        if (run >= 0) first.push(paint);

        // keystrokes: from the keydown to the next painted table
        await page.click('#filter input').catch(() => page.focus('#filter'));
        for (const ch of FILTER_TEXT) {
          const before = await page.evaluate(() => performance.getEntriesByName('vce-table-painted').length);
          await page.keyboard.press(ch);
          const dt = await page.evaluate(async (count) => {
            for (;;) {
              const m = performance.getEntriesByName('vce-table-painted');
              if (m.length > count) return m[m.length - 1]!.startTime - (window as unknown as { __kd: number }).__kd;
              await new Promise((r) => setTimeout(r, 2));
            }
          }, before);
          if (run >= 0) keys.push(dt);
        }
        await page
          .waitForFunction(
            (want) => {
              const posted = (window as unknown as { __posted: { type: string; matching?: number }[] }).__posted;
              return [...posted].reverse().find((m) => m.type === 'rendered')?.matching === want;
            },
            filtered.matching,
            { timeout: 30_000 },
          )
          .catch(async () => {
            wrong(`webview ${n} rows: filter "${FILTER_TEXT}" shows ${(await wp.lastRendered())?.matching} rows, ${filtered.matching} match`);
          });

        // a scroll through the whole (unfiltered) table, one step per frame
        if (run === runs - 1) {
          await page.fill('#filter input', '').catch(() => undefined);
          await page.waitForFunction(
            (want) => {
              const posted = (window as unknown as { __posted: { type: string; matching?: number }[] }).__posted;
              return [...posted].reverse().find((m) => m.type === 'rendered')?.matching === want;
            },
            n,
            { timeout: 30_000 },
          );
          scroll = await page
            .evaluate(async () => {
              const vp = document.getElementById('viewport')!;
              const frames: number[] = [];
              let maxRows = 0;
              const steps = 240;
              const step = Math.max(1, (vp.scrollHeight - vp.clientHeight) / steps);
              let last = await new Promise<number>((r) => requestAnimationFrame(r));
              for (let i = 1; i <= steps; i++) {
                vp.scrollTop = Math.min(vp.scrollHeight, i * step);
                const t = await new Promise<number>((r) => requestAnimationFrame(r));
                frames.push(t - last);
                last = t;
                maxRows = Math.max(maxRows, vp.querySelectorAll('.grid-row.row:not([hidden])').length);
              }
              return { frames, maxRows };
            })
            .then((s) => ({
              frames: s.frames.length,
              frameMs: summarize(s.frames),
              longFrames: s.frames.filter((f) => f > 50).length,
              rowsInDomMax: s.maxRows,
            }));
          const lastRow = await page.evaluate(() => {
            const rows = [...document.querySelectorAll('#viewport .grid-row.row:not([hidden])')];
            return Math.max(...rows.map((r) => Number(r.getAttribute('aria-rowindex'))));
          });
          if (lastRow !== n + 1) wrong(`webview ${n} rows: the end of the scroll shows row ${lastRow - 1}, not the last (${n})`);
        }
      }
      await wp.collectViolations();
      if (wp.problems.length) wrong(`webview ${n} rows: ${wp.problems.splice(0).join('; ')}`);
      const point: WebviewPoint = {
        rows: n,
        messageBytes: Buffer.byteLength(message),
        plainMessageBytes,
        firstPaintMs: summarize(first),
        filterKeystrokeMs: summarize(keys),
        scroll: scroll!,
        rowsInDom,
      };
      say(
        `webview ${n} rows: message ${fmtBytes(point.messageBytes)} (plain ${fmtBytes(plainMessageBytes)}), first paint ${fmtMs(point.firstPaintMs)}, keystroke ${fmtMs(point.filterKeystrokeMs)}, scroll frames ${fmtMs(point.scroll.frameMs)}`,
      );
      points.push(point);
    }
  } finally {
    await wp.close();
  }
  return { bundleBytes, points };
}
