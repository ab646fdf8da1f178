// Lint: typescript-eslint's recommended rules, plus the project's rules: no shell for external programs, and the
// import direction of the layers (no `vscode` in src/kube, src/vcluster, src/shared or the webview bundle).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noShell = [
  { selector: "Property[key.name='shell'][value.value=true]", message: 'Run programs without a shell (argument arrays only).' },
  {
    selector: 'CallExpression[callee.property.name=/^(exec|execSync)$/][callee.object.name=/child_process|cp/]',
    message: 'Use execFile/spawn with an argument array, never exec().',
  },
];

const noExec = [
  { name: 'node:child_process', importNames: ['exec', 'execSync'], message: 'Use execFile/spawn with an argument array.' },
  { name: 'child_process', importNames: ['exec', 'execSync'], message: 'Use execFile/spawn with an argument array.' },
];

// Every notification, progress notification and modal message goes through src/platform/notify.ts, which redacts it
// and keeps cluster text from becoming a `command:` link; a direct window.show*Message (member, computed or
// destructured) or ProgressLocation.Notification is an error.
const NOTIFY = 'src/platform/notify.ts';
const SHOW_MESSAGE = '/^show(Error|Warning|Information)Message$/';
const noRawMessages = [
  `MemberExpression[property.name=${SHOW_MESSAGE}]`,
  `MemberExpression[property.value=${SHOW_MESSAGE}]`,
  `ObjectPattern > Property[key.name=${SHOW_MESSAGE}]`,
  "MemberExpression[object.property.name='ProgressLocation'][property.name='Notification']",
].map((selector) => ({ selector, message: 'Show messages through src/platform/notify.ts (redacted, no links from cluster text).' }));

// Command handlers load nothing themselves: what loads lazily comes through the services (src/app/lazyServices.ts loads
// src/vcluster/services.ts, whose `ops` carry the domain operations), so a handler has no import() of its own.
const noLazyImports = [
  { selector: 'ImportExpression', message: 'No import() in src/commands: call the domain through the services (services.ops, src/vcluster/operations.ts).' },
];

/** A relative import that climbs into one of these top-level parts of src/ (a folder, or extension.ts). */
function above(...parts) {
  return `^(\\.\\./)+(${parts.join('|')})(/|$)`;
}

/**
 * The import rules of one layer's files: the regexes their imports may not match (static `import … from` and dynamic
 * `import()` alike), no vscode when `noVscode`, and `more` syntax rules of the layer.
 */
function layer(files, regexes, message, noVscode = false, more = []) {
  const paths = noVscode ? [{ name: 'vscode', message: 'The domain layers and the webview must not import vscode.' }, ...noExec] : noExec;
  const dynamic = regexes.map((regex) => ({ selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`, message }));
  const rules = (extra) => ({
    'no-restricted-imports': ['error', { paths, patterns: regexes.map((regex) => ({ regex, message })) }],
    'no-restricted-syntax': ['error', ...noShell, ...dynamic, ...more, ...extra],
  });
  return [
    { files, ignores: [NOTIFY], rules: rules(noRawMessages) },
    // notify.ts itself keeps its layer's import rules.
    ...(files.some((f) => NOTIFY.startsWith(f.replace('**', ''))) ? [{ files: [NOTIFY], rules: rules([]) }] : []),
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'screenshots/**', '**/*.d.ts', '**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        performance: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-restricted-syntax': ['error', ...noShell],
      'no-restricted-imports': ['error', { paths: noExec }],
    },
  },
  // The parts of src/ without a layer of their own (src/app, extension.ts); the layers add it to theirs.
  { files: ['src/**'], rules: { 'no-restricted-syntax': ['error', ...noShell, ...noRawMessages] } },
  // The import direction (docs/architecture.md): shared ← kube ← vcluster ← platform/tree/webview/documents ← commands ←
  // app ← extension.ts, and webview-ui (the browser bundle) sees only src/shared: each page (webview-ui/<page>/) its
  // own folder, webview-ui/common and src/shared; webview-ui/common only itself and src/shared.
  // test/unit/lint-layers.test.ts proves that a wrong import fails `npm run lint`.
  ...layer(['src/shared/**'], ['^\\.\\./'], 'src/shared is plain data: it imports nothing else of the extension.', true),
  ...layer(
    ['src/kube/**'],
    [above('vcluster', 'platform', 'tree', 'webview', 'documents', 'commands', 'app', 'extension')],
    'src/kube is the bottom layer: it imports only src/shared.',
    true,
  ),
  ...layer(
    ['src/vcluster/**'],
    [above('platform', 'tree', 'webview', 'documents', 'commands', 'app', 'extension')],
    'src/vcluster is the domain: it imports src/kube and src/shared, nothing of the UI.',
    true,
  ),
  ...layer(
    ['src/webview/**'],
    [above('kube', 'vcluster', 'tree', 'documents', 'commands', 'app', 'extension')],
    'src/webview renders the shared models: it reads data through the source its owner passes in, not from src/kube or src/vcluster.',
  ),
  ...layer(
    ['src/documents/**'],
    [above('kube', 'vcluster', 'tree', 'webview', 'commands', 'app', 'extension')],
    'src/documents serves read-only text documents: it reads data through what its owner passes in, not from src/kube or src/vcluster.',
  ),
  ...layer(
    ['src/platform/**', 'src/tree/**'],
    [above('webview', 'documents', 'commands', 'app', 'extension')],
    'src/platform and src/tree sit below the commands and the composition root.',
  ),
  ...layer(['src/commands/**'], [above('app', 'extension')], 'Commands do not import the composition root.', false, noLazyImports),
  ...layer(
    ['webview-ui/**'],
    ['^\\.\\./(?!common/|\\.\\./src/shared/)'],
    'A webview page imports only its own folder, webview-ui/common and src/shared.',
    true,
  ),
  ...layer(['webview-ui/common/**'], ['^\\.\\./(?!\\.\\./src/shared/)'], 'webview-ui/common imports only itself and src/shared.', true),
  {
    // TypeScript checks names itself; scripts hand callbacks to the browser through Playwright's page.evaluate.
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['scripts/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', crypto: 'readonly', getComputedStyle: 'readonly' } },
  },
  {
    files: ['webview-ui/**'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        HTMLElement: 'readonly',
        customElements: 'readonly',
        getComputedStyle: 'readonly',
        requestAnimationFrame: 'readonly',
        KeyboardEvent: 'readonly',
        MouseEvent: 'readonly',
        Event: 'readonly',
        CustomEvent: 'readonly',
      },
    },
  },
);
