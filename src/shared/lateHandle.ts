// A handle now for something that exists only once a promise settles (a watch that starts after the services load or
// after a request): disposing the handle early disposes the thing as soon as it arrives. No vscode import.

export function lateHandle(pending: Promise<{ dispose(): void }>, onError: (err: unknown) => void): { dispose(): void } {
  let handle: { dispose(): void } | undefined;
  let disposed = false;
  pending.then((h) => {
    if (disposed) h.dispose();
    else handle = h;
  }, onError);
  return {
    dispose: () => {
      disposed = true;
      handle?.dispose();
    },
  };
}
