import WebSocket from 'ws';
import type { ConnectOptions, KubeClient } from './client';
import { KubeError, fromNetworkError, fromStatus } from './errors';

// Running a command in a container over the API server's pods/exec subresource, with the WebSocket protocol that
// kubectl uses since Kubernetes 1.30 (k8s.io/apimachinery v0.34, pkg/util/remotecommand/constants.go and
// pkg/util/httpstream/wsstream/conn.go; KEP-4006). Every message starts with a channel byte: 0 stdin, 1 stdout,
// 2 stderr, 3 the final metav1.Status (the exit code), 4 terminal size as JSON {"Width","Height"}. v5 adds channel 255
// to close a stream (stdin: [255, 0]); v4 has everything else. The server chooses among the protocols offered: v5 when
// it knows it, else v4.

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface ExecOptions {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  readonly command: readonly string[];
  /** A terminal: stdout and stderr arrive together on stdout, and resize() applies. */
  readonly tty?: boolean;
  /** Whether stdin is sent (write()). */
  readonly stdin?: boolean;
  readonly onStdout?: (data: Buffer) => void;
  readonly onStderr?: (data: Buffer) => void;
  /** The protocols to offer (default EXEC_PROTOCOLS); the tests use it to check the v4 path. */
  readonly protocols?: readonly string[];
  readonly handshakeTimeoutMs?: number;
}

/** How an exec ended. */
export interface ExecResult {
  /** The command's exit code, when it ran and ended (0 for success). */
  readonly exitCode?: number;
  /** Why it did not end with an exit code, or the server's words about the failure. */
  readonly message?: string;
  /** 'exited': the command ended; 'failed': it could not run or the connection broke; 'closed': close() was called. */
  readonly reason: 'exited' | 'failed' | 'closed';
}

export interface ExecSession {
  /** The protocol the server chose. */
  readonly protocol: string;
  write(data: string | Buffer): void;
  /** Sets the terminal size (tty only). */
  resize(cols: number, rows: number): void;
  /** Ends stdin (v5 only; v4 has no way to say it, and the command keeps its stdin open). */
  closeStdin(): boolean;
  /** Ends the session now; `done` settles with reason 'closed' unless the command had ended. */
  close(): void;
  readonly done: Promise<ExecResult>;
}

interface StatusLike {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** The exit result in the final Status of channel 3 (kubectl: remotecommand's errorDecoderV4). */
export function resultFromStatus(text: string): ExecResult {
  let s: StatusLike;
  try {
    s = JSON.parse(text) as StatusLike;
  } catch {
    return { reason: 'failed', message: text.slice(0, 500) };
  }
  if (s.status === 'Success') return { reason: 'exited', exitCode: 0 };
  if (s.reason === 'NonZeroExitCode') {
    const code = Number(s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
    if (Number.isInteger(code)) return { reason: 'exited', exitCode: code, ...(s.message ? { message: s.message } : {}) };
  }
  return { reason: 'failed', message: s.message || 'the command could not run' };
}

function execUrl(server: string, o: ExecOptions): URL {
  const url = new URL(server);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/exec`;
  const q = new URLSearchParams();
  for (const c of o.command) q.append('command', c);
  if (o.container) q.set('container', o.container);
  q.set('stdout', 'true');
  // With a terminal, stderr is part of stdout (kubectl sets stderr=false with -t).
  q.set('stderr', o.tty ? 'false' : 'true');
  if (o.stdin) q.set('stdin', 'true');
  if (o.tty) q.set('tty', 'true');
  url.search = q.toString();
  return url;
}

/**
 * Opens an exec session. Resolves once the server accepted it; rejects with a KubeError when it refused (unknown pod
 * or container, a pod that is not running, forbidden) or could not be reached.
 */
export async function openExec(client: KubeClient, o: ExecOptions): Promise<ExecSession> {
  if (!o.command.length) throw new KubeError('invalid', 'No command to run');
  const opts: ConnectOptions = await client.connectOptions();
  const url = execUrl(client.server, o);
  const what = `exec in pod ${o.namespace}/${o.pod}`;
  const ws = new WebSocket(url, [...(o.protocols ?? EXEC_PROTOCOLS)], { ...opts, handshakeTimeout: o.handshakeTimeoutMs ?? 15_000 });
  ws.binaryType = 'nodebuffer';
  await new Promise<void>((resolve, reject) => {
    const fail = (err: KubeError) => {
      cleanup();
      // Ending a connection that is still in its handshake makes ws report that as an error: nobody needs it now.
      ws.on('error', () => undefined);
      ws.terminate();
      reject(err);
    };
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => fail(fromNetworkError(err, client.server));
    const onResponse = (_req: unknown, res: import('node:http').IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 64 * 1024) body += d;
      });
      res.on('end', () => fail(fromStatus(res.statusCode ?? 0, body, what)));
      res.on('error', () => fail(fromStatus(res.statusCode ?? 0, body, what)));
    };
    const cleanup = () => {
      ws.off('open', onOpen);
      ws.off('error', onError);
      ws.off('unexpected-response', onResponse);
    };
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('unexpected-response', onResponse);
  });
  const protocol = ws.protocol;
  const v5 = protocol === 'v5.channel.k8s.io';
  let result: ExecResult | undefined;
  let resolveDone!: (r: ExecResult) => void;
  const done = new Promise<ExecResult>((r) => {
    resolveDone = r;
  });
  let statusText = '';
  ws.on('message', (data: Buffer) => {
    if (data.length < 1) return;
    const channel = data[0]!;
    const payload = data.subarray(1);
    if (channel === STDOUT) {
      if (payload.length) o.onStdout?.(payload);
    } else if (channel === STDERR) {
      if (payload.length) o.onStderr?.(payload);
    } else if (channel === ERROR) {
      statusText += payload.toString('utf8');
      result = resultFromStatus(statusText);
    }
  });
  ws.on('error', (err) => {
    result ??= { reason: 'failed', message: fromNetworkError(err, client.server).message };
  });
  ws.on('close', () => resolveDone(result ?? { reason: 'failed', message: 'The connection to the API server ended before the command did' }));
  const send = (channel: number, payload: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), payload]));
  };
  return {
    protocol,
    write: (data) => send(STDIN, typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
    resize: (cols, rows) => {
      if (!o.tty || !(cols > 0 && rows > 0)) return;
      send(RESIZE, Buffer.from(JSON.stringify({ Width: Math.floor(cols), Height: Math.floor(rows) })));
    },
    closeStdin: () => {
      if (!v5) return false;
      send(CLOSE, Buffer.from([STDIN]));
      return true;
    },
    close: () => {
      result ??= { reason: 'closed' };
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    },
    done,
  };
}

/** Runs a command without a terminal and collects its output (stdin, when given, is sent and then closed). */
export async function runInPod(
  client: KubeClient,
  o: Omit<ExecOptions, 'onStdout' | 'onStderr' | 'tty' | 'stdin'> & { input?: string; timeoutMs?: number },
): Promise<ExecResult & { stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const session = await openExec(client, { ...o, stdin: o.input !== undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d) });
  if (o.input !== undefined) {
    session.write(o.input);
    session.closeStdin();
  }
  const timer = setTimeout(() => session.close(), o.timeoutMs ?? 60_000);
  try {
    const r = await session.done;
    return { ...r, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  } finally {
    clearTimeout(timer);
  }
}
