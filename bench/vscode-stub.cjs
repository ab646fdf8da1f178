// A minimal stand-in for the `vscode` module, for measuring our own code in plain Node: the tree provider's work
// (bench/main.ts) and the production bundle's load + activate() (bench/activate-child.cjs). It implements the few
// classes and namespaces the extension touches, does no UI work, and records every call so the benchmark can show
// what activation asked of VS Code. Anything not implemented is recorded as "missing:<path>" and answered with a
// no-op, so a new API call shows up in the output instead of crashing the measurement.
'use strict';
const path = require('node:path');
const Module = require('node:module');

function createVscodeStub() {
  const calls = [];
  const record = (name) => calls.push(name);
  const disposable = () => ({ dispose() {} });

  class EventEmitter {
    constructor() {
      this.listeners = new Set();
      this.event = (listener, thisArg) => {
        const l = thisArg ? listener.bind(thisArg) : listener;
        this.listeners.add(l);
        return { dispose: () => this.listeners.delete(l) };
      };
    }
    fire(e) {
      for (const l of [...this.listeners]) l(e);
    }
    dispose() {
      this.listeners.clear();
    }
  }
  class Disposable {
    constructor(fn) {
      this.fn = fn;
    }
    static from(...ds) {
      return new Disposable(() => ds.forEach((d) => d && d.dispose && d.dispose()));
    }
    dispose() {
      if (this.fn) this.fn();
      this.fn = undefined;
    }
  }
  class TreeItem {
    constructor(label, collapsibleState) {
      this.label = label;
      this.collapsibleState = collapsibleState;
    }
  }
  class ThemeIcon {
    constructor(id, color) {
      this.id = id;
      this.color = color;
    }
  }
  class ThemeColor {
    constructor(id) {
      this.id = id;
    }
  }
  class MarkdownString {
    constructor(value = '', supportThemeIcons = false) {
      this.value = value;
      this.supportThemeIcons = supportThemeIcons;
    }
    appendMarkdown(s) {
      this.value += s;
      return this;
    }
    appendText(s) {
      this.value += String(s).replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
      return this;
    }
    appendCodeblock(code, lang = '') {
      this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`;
      return this;
    }
  }
  class Uri {
    constructor(scheme, authority, p, query, fragment) {
      this.scheme = scheme;
      this.authority = authority || '';
      this.path = p || '/';
      this.query = query || '';
      this.fragment = fragment || '';
    }
    get fsPath() {
      return this.path;
    }
    static file(p) {
      return new Uri('file', '', path.resolve(p));
    }
    static parse(s) {
      const u = new URL(s);
      return new Uri(u.protocol.replace(/:$/, ''), u.host, decodeURIComponent(u.pathname), u.search.replace(/^\?/, ''), u.hash.replace(/^#/, ''));
    }
    static from(c) {
      return new Uri(c.scheme, c.authority, c.path, c.query, c.fragment);
    }
    static joinPath(base, ...parts) {
      return new Uri(base.scheme, base.authority, path.posix.join(base.path, ...parts), base.query, base.fragment);
    }
    with(c) {
      return new Uri(c.scheme ?? this.scheme, c.authority ?? this.authority, c.path ?? this.path, c.query ?? this.query, c.fragment ?? this.fragment);
    }
    toString() {
      return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
    }
    toJSON() {
      return { scheme: this.scheme, authority: this.authority, path: this.path, query: this.query, fragment: this.fragment };
    }
  }

  const configChanged = new EventEmitter();
  const logChannel = (name) => ({
    name,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter().event,
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error() {},
    append() {},
    appendLine() {},
    replace() {},
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  });
  const memento = () => {
    const m = new Map();
    return {
      get: (k, d) => (m.has(k) ? m.get(k) : d),
      update: async (k, v) => {
        m.set(k, v);
      },
      keys: () => [...m.keys()],
      setKeysForSync() {},
    };
  };

  const impl = {
    version: '1.101.0-bench-stand-in',
    EventEmitter,
    Disposable,
    TreeItem,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    Uri,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2, Three: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    window: {
      createOutputChannel: (name) => logChannel(name),
      createTreeView: () => ({
        message: undefined,
        title: undefined,
        description: undefined,
        badge: undefined,
        visible: false,
        selection: [],
        onDidChangeVisibility: new EventEmitter().event,
        onDidExpandElement: new EventEmitter().event,
        onDidCollapseElement: new EventEmitter().event,
        onDidChangeSelection: new EventEmitter().event,
        reveal: async () => {},
        dispose() {},
      }),
      createStatusBarItem: (id) => ({ id, text: '', tooltip: undefined, command: undefined, name: undefined, show() {}, hide() {}, dispose() {} }),
      registerWebviewPanelSerializer: disposable,
      registerTreeDataProvider: disposable,
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
      showQuickPick: async () => undefined,
      showInputBox: async () => undefined,
      showOpenDialog: async () => undefined,
      withProgress: async (_o, task) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: new EventEmitter().event }),
      createWebviewPanel: () => {
        throw new Error('no webviews in the stand-in');
      },
      textDocuments: [],
      tabGroups: { all: [], activeTabGroup: undefined, onDidChangeTabs: new EventEmitter().event, onDidChangeTabGroups: new EventEmitter().event },
      terminals: [],
    },
    workspace: {
      getConfiguration: () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => {} }),
      onDidChangeConfiguration: configChanged.event,
      registerTextDocumentContentProvider: disposable,
      createFileSystemWatcher: () => ({
        onDidCreate: new EventEmitter().event,
        onDidChange: new EventEmitter().event,
        onDidDelete: new EventEmitter().event,
        dispose() {},
      }),
      isTrusted: true,
      workspaceFolders: undefined,
      textDocuments: [],
      onDidGrantWorkspaceTrust: new EventEmitter().event,
    },
    commands: {
      registerCommand: disposable,
      executeCommand: async () => undefined,
    },
    languages: { setTextDocumentLanguage: async (d) => d },
    extensions: { all: [], getExtension: () => undefined, onDidChange: new EventEmitter().event },
    env: {
      appName: 'bench',
      uriScheme: 'vscode',
      language: 'en',
      machineId: 'bench',
      sessionId: 'bench',
      openExternal: async () => true,
      clipboard: { writeText: async () => {} },
    },
  };

  // Record every call through the namespaces (window.createTreeView, commands.registerCommand, ...).
  const wrapNs = (nsName, obj) =>
    new Proxy(obj, {
      get(target, prop) {
        if (typeof prop === 'symbol') return target[prop];
        if (!(prop in target)) {
          record(`missing:${nsName}.${prop}`);
          return () => ({ dispose() {} });
        }
        const v = target[prop];
        if (typeof v !== 'function') return v;
        return (...args) => {
          record(`${nsName}.${prop}${prop === 'registerCommand' || prop === 'executeCommand' ? `(${String(args[0])})` : ''}`);
          return v(...args);
        };
      },
    });
  const api = { ...impl };
  for (const ns of ['window', 'workspace', 'commands', 'languages', 'extensions', 'env']) api[ns] = wrapNs(ns, impl[ns]);
  const module = new Proxy(api, {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop in target) return target[prop];
      if (prop === '__esModule' || prop === 'default' || prop === 'then') return undefined;
      record(`missing:vscode.${String(prop)}`);
      return undefined;
    },
  });
  return { vscode: module, calls, EventEmitter, Uri, memento, logChannel };
}

/** Makes require('vscode') return the stand-in (through Module._load, as the extension host's own loader does). */
function installVscodeStub(stub) {
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return stub.vscode;
    return original.call(this, request, parent, isMain);
  };
  return () => {
    Module._load = original;
  };
}

/** An ExtensionContext good enough for activate(). */
function fakeExtensionContext(stub, dir, packageJSON) {
  const { Uri, memento } = stub;
  return {
    subscriptions: [],
    workspaceState: memento(),
    globalState: memento(),
    secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: new stub.EventEmitter().event },
    extensionUri: Uri.file(dir),
    extensionPath: dir,
    storageUri: Uri.file(path.join(dir, 'storage')),
    globalStorageUri: Uri.file(path.join(dir, 'global-storage')),
    logUri: Uri.file(path.join(dir, 'logs')),
    storagePath: path.join(dir, 'storage'),
    globalStoragePath: path.join(dir, 'global-storage'),
    logPath: path.join(dir, 'logs'),
    extensionMode: 1,
    asAbsolutePath: (p) => path.join(dir, p),
    environmentVariableCollection: {
      persistent: true,
      description: undefined,
      replace() {},
      append() {},
      prepend() {},
      get() {
        return undefined;
      },
      forEach() {},
      delete() {},
      clear() {},
      getScoped() {
        return this;
      },
    },
    extension: {
      id: 'vcluster-explorer.vcluster-explorer',
      extensionUri: Uri.file(dir),
      extensionPath: dir,
      isActive: true,
      packageJSON,
      extensionKind: 1,
      exports: undefined,
    },
  };
}

module.exports = { createVscodeStub, installVscodeStub, fakeExtensionContext };
