// The HTML of every webview panel (panelBase.ts). Pure (no vscode import) so that plain-Node tests can check the Content
// Security Policy: nothing runs but the one bundled script carrying the nonce; styles, fonts and images only from the
// extension's own resources (webview.cspSource); no inline style or script, no eval, no network.

export interface HtmlInput {
  /** webview.cspSource */
  readonly cspSource: string;
  /** Fresh per page load, from crypto.randomBytes / randomUUID. */
  readonly nonce: string;
  /** webview.asWebviewUri(dist/<page>.js), e.g. dist/mapping.js */
  readonly scriptUri: string;
  /** Style sheets, in order. */
  readonly styleUris: readonly string[];
  /** dist/codicon.css: linked with the id vscode-elements' icon component looks for. */
  readonly codiconUri?: string;
  /** Page title. */
  readonly title?: string;
  /** Initial state for the webview (e.g. `{ ref }`), placed HTML-escaped in a data attribute. No secrets. */
  readonly state?: unknown;
}

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * webview.cspSource is a source list: desktop VS Code gives a host source (https://*.vscode-cdn.net), the web
 * workbench (code-server) `'self' https://*.vscode-cdn.net`. Accept host sources and 'self' only, so that a ';' or
 * a keyword like 'unsafe-inline' can never enter the policy through it.
 */
export function isCspSourceList(s: string): boolean {
  const tokens = s.trim().split(/ +/);
  return (
    s.length <= 512 &&
    tokens.length > 0 &&
    tokens.length <= 8 &&
    tokens.every((t) => t === "'self'" || /^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[A-Za-z0-9*.:_+-]+)?[A-Za-z0-9/._-]*$|^[A-Za-z0-9*][A-Za-z0-9*.:_-]*$/.test(t))
  );
}

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,128}$/;

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

export function renderHtml(input: HtmlInput): string {
  if (!NONCE_RE.test(input.nonce)) throw new Error('renderHtml: the nonce must be 16–128 base64/uuid characters');
  if (!isCspSourceList(input.cspSource)) throw new Error('renderHtml: unexpected cspSource');
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  const links = [
    ...(input.codiconUri ? [`<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeHtml(input.codiconUri)}">`] : []),
    ...input.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`),
  ];
  const state = input.state === undefined ? '' : ` data-state="${escapeHtml(JSON.stringify(input.state))}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links.join('\n')}
<title>${escapeHtml(input.title ?? 'vcluster mapping')}</title>
</head>
<body${state}>
<main id="app" aria-busy="false"><p>Loading…</p></main>
<script type="module" nonce="${escapeHtml(input.nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}
