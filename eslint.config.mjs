// Lint: typescript-eslint's recommended rules, plus the project's rules: no shell for external programs, and no
// `vscode` import in the domain layers (src/kube, src/vcluster, src/shared) or the webview bundle.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noShell = [
  { selector: "Property[key.name='shell'][value.value=true]", message: 'Run programs without a shell (argument arrays only).' },
  { selector: "CallExpression[callee.property.name=/^(exec|execSync)$/][callee.object.name=/child_process|cp/]", message: 'Use execFile/spawn with an argument array, never exec().' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'screenshots/**', '**/*.d.ts', '**/*.d.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', performance: 'readonly', AbortController: 'readonly', fetch: 'readonly', structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-restricted-syntax': ['error', ...noShell],
      'no-restricted-imports': ['error', { paths: [{ name: 'node:child_process', importNames: ['exec', 'execSync'], message: 'Use execFile/spawn with an argument array.' }, { name: 'child_process', importNames: ['exec', 'execSync'], message: 'Use execFile/spawn with an argument array.' }] }],
    },
  },
  {
    files: ['src/kube/**', 'src/vcluster/**', 'src/shared/**', 'webview-ui/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The domain layers and the webview must not import vscode.' }, { name: 'node:child_process', importNames: ['exec', 'execSync'] }] }],
    },
  },
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
    languageOptions: { globals: { window: 'readonly', document: 'readonly', HTMLElement: 'readonly', customElements: 'readonly', getComputedStyle: 'readonly', requestAnimationFrame: 'readonly', KeyboardEvent: 'readonly', MouseEvent: 'readonly', Event: 'readonly', CustomEvent: 'readonly' } },
  },
);
