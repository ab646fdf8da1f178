// The VS Code API of a webview page: acquireVsCodeApi() may be called once per page, so each bundle (mapping,
// describe) takes it from here.

export interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();
