// The virtual→host mapping webview: summary, diagram and table of one vcluster's objects.
// Talks to src/webview/mappingPanel.ts through the protocol in src/shared/mappingProtocol.ts. Imports only src/shared,
// webview-ui/common and its own modules; everything it draws comes from the posted model, never from the network.
//
// This file boots the page and routes the host's messages; state.ts holds the state and the line to VS Code,
// summary.ts, diagram.ts and table.ts draw their parts.

import '../common/panel.css';
import './mapping.css';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

import { decodeMappingModel } from '../../src/shared/mappingWire';
import { MAPPING_PROTOCOL_VERSION, isToMappingWebview, type ToMappingWebview } from '../../src/shared/mappingProtocol';
import { diagramSection, followDiagramWidth, renderDiagram } from './diagram';
import { byId, el } from '../common/dom';
import { setStatus } from './dom';
import { onPrefsChange, persist, post, setModel, state, takePending } from './state';
import { headerSection, renderErrors, renderHeader, renderSummary } from './summary';
import { renderTable, syncControls, tableSection } from './table';
import { listen } from '../common/vscodeApi';

function buildSkeleton(): void {
  byId('app').replaceChildren(
    headerSection(),
    el('div', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' }),
    el('div', { id: 'errors', class: 'errors', hidden: '' }),
    el('section', { id: 'summary', class: 'summary', 'aria-label': 'Summary' }),
    diagramSection(),
    tableSection(),
  );
}

function renderAll(): void {
  renderHeader();
  renderErrors();
  renderSummary();
  renderDiagram();
  syncControls();
  renderTable();
}

function onMessage(msg: ToMappingWebview): void {
  switch (msg.type) {
    case 'loading':
      state.ref = msg.ref;
      persist();
      renderHeader();
      setStatus(state.model ? 'Updating…' : 'Loading…');
      break;
    case 'model':
      setModel(decodeMappingModel(msg.model));
      setStatus('');
      renderAll();
      break;
    case 'loadError':
      state.ref = msg.ref;
      persist();
      renderHeader();
      setStatus(`Could not read the mapping: ${msg.message}`, 'error');
      break;
    case 'reply': {
      const what = takePending(msg.id);
      if (msg.ok) setStatus('');
      else setStatus(`${what ?? 'Request'} failed: ${msg.message}`, 'error');
      break;
    }
    default: {
      const never: never = msg;
      void never;
    }
  }
}

listen(isToMappingWebview, onMessage);

onPrefsChange((change) => {
  syncControls();
  if (change.diagram) renderDiagram();
  renderTable({ resetScroll: change.resetScroll });
});

buildSkeleton();
followDiagramWidth();
persist();
renderHeader();
syncControls();
setStatus('Loading…');
post({ type: 'ready', version: MAPPING_PROTOCOL_VERSION });
