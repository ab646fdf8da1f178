// The VS Code API of a webview page: acquireVsCodeApi() may be called once per page, so each bundle (mapping,
// describe) takes it from here.

export interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

/**
 * Hands each message from the extension that `isMessage` accepts to `onMessage` (anything else is dropped), and reports
 * the page's uncaught errors and unhandled rejections to the extension as `clientError` messages (text only, cut short).
 */
export function listen<M>(isMessage: (data: unknown) => data is M, onMessage: (msg: M) => void): void {
  window.addEventListener('message', (ev: MessageEvent) => {
    if (isMessage(ev.data)) onMessage(ev.data);
  });
  const report = (message: string): void => vscode.postMessage({ type: 'clientError', message: message.slice(0, 2000) });
  window.addEventListener('error', (ev) => report(String(ev.message)));
  window.addEventListener('unhandledrejection', (ev) => report(String(ev.reason)));
}
