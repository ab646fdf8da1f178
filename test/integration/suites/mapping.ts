// vcluster.showMapping: the panel opens for a world vcluster, the webview reports what it rendered, and an object
// created in the virtual cluster appears while the panel is open (watches, no refresh).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MappingRow } from '../../../src/shared/model';
import { createVirtualOnlyObject, type BuiltObject } from '../../harness/worlds/worlds';
import { fx, refOf } from '../support/fixture';
import { waitFor } from '../support/workbench';

type Panel = NonNullable<ReturnType<ReturnType<typeof fx.api.testing.panels>['get']>>;

function rowFor(rows: readonly MappingRow[], o: BuiltObject): MappingRow | undefined {
  return rows.find(
    (r) =>
      r.kind === o.kind &&
      (o.virtual
        ? r.virtualNamespace === o.virtual.namespace && r.virtualName === o.virtual.name
        : r.hostNamespace === o.host!.namespace && r.hostName === o.host!.name),
  );
}

/** The sync state the mapping must give a fixture object (the fixture knows how it laid it out). */
function expectedState(o: BuiltObject): MappingRow['state'] {
  return o.mode === 'host-only' ? 'host-only' : o.mode === 'virtual-only' ? 'virtual-only' : 'synced';
}

export function mappingSuite(): void {
  describe('vcluster.showMapping', function () {
    this.timeout(90_000);
    let panel: Panel;

    after(() => panel?.dispose());

    it('opens the panel; the webview renders every row of the model, and the rows match the world', async () => {
      const lb = fx.world.find('lb');
      const ref = refOf(lb);
      await vscode.commands.executeCommand('vcluster.showMapping', ref);
      panel = fx.api.testing.panels().get(ref)!;
      assert.ok(panel, 'no mapping panel for lb');
      const report = await waitFor(
        'the webview to report the rendered model',
        async () => {
          const r = panel.lastRendered;
          return r && panel.model && r.total === panel.model.rows.length && r.total > 0 ? r : undefined;
        },
        60_000,
      );
      assert.equal(report.matching, report.total, 'no filter is set');
      assert.ok(report.rows > 0 && report.rows <= report.matching);
      const rows = panel.model!.rows;
      for (const o of lb.objects) {
        const row = rowFor(rows, o);
        assert.ok(row, `no row for ${o.kind} ${JSON.stringify(o.virtual ?? o.host)}`);
        assert.equal(row.state, expectedState(o), `${o.kind} ${o.virtual?.name ?? o.host?.name}`);
        if (o.host && o.virtual) assert.deepEqual([row.hostNamespace, row.hostName], [o.host.namespace, o.host.name]);
        if (o.mode === 'unannotated') assert.equal(row.joinedBy, 'name');
      }
    });

    it('shows an object created in the virtual cluster while the panel is open', async () => {
      const lb = fx.world.find('lb');
      if (!panel) {
        // Run on its own (--grep): open the panel here.
        await vscode.commands.executeCommand('vcluster.showMapping', refOf(lb));
        panel = fx.api.testing.panels().get(refOf(lb))!;
      }
      await waitFor('the webview to report a render', async () => panel.lastRendered, 60_000);
      const total = panel.lastRendered!.total;
      const rendered = panel.nextRender(60_000);
      const o = await createVirtualOnlyObject(lb, 'ConfigMap', 'storefront', 'arrived-later');
      await rendered; // the watch made the panel reload and the webview render again, without a refresh
      await waitFor(
        'the panel to show the new object',
        async () => {
          const row = panel.model && rowFor(panel.model.rows, o);
          return row?.state === 'virtual-only' && panel.lastRendered?.total === total + 1;
        },
        60_000,
      );
    });
  });
}
