import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import type { ExecSession } from '../kube/exec';
import { errorMessage } from '../shared/errors';
import { redact } from '../shared/redact';

export interface ExecTerminalOptions {
  readonly name: string;
  /** Opens the exec session once the terminal is shown; `onStdout` gets what the command writes. */
  readonly open: (onStdout: (data: Buffer) => void) => Promise<ExecSession>;
  /** The line shown when the session ends without an exit code, from why it ended. */
  readonly endMessage: (why: string) => string;
}

/**
 * An integrated terminal attached to an exec session (a pseudoterminal): what the command writes is shown, what is
 * typed goes to its stdin, the size follows the panel; when the command exits its exit code is shown, and closing the
 * terminal ends the session.
 */
export function createExecTerminal(o: ExecTerminalOptions): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let session: ExecSession | undefined;
  let closedByUser = false;
  // What is typed (or sent with sendText) before the exec session is open goes in once it is.
  const early: string[] = [];
  let size: vscode.TerminalDimensions | undefined;
  const decoder = new StringDecoder('utf8');
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dims) => {
      // A character split between two messages is joined before it is shown.
      void o
        .open((d) => write.fire(decoder.write(d)))
        .then(
          (s) => {
            session = s;
            if (closedByUser) {
              s.close();
              return;
            }
            size ??= dims;
            if (size) s.resize(size.columns, size.rows);
            for (const text of early.splice(0)) s.write(text);
            void s.done.then((r) => {
              if (closedByUser) return;
              if (r.reason === 'exited') {
                write.fire(`\r\n\x1b[2m[the command ended with exit code ${r.exitCode}]\x1b[0m\r\n`);
                close.fire(r.exitCode);
              } else {
                write.fire(`\r\n\x1b[31m${o.endMessage(r.message ?? 'the connection ended')}\x1b[0m\r\n`);
                close.fire(1);
              }
            });
          },
          (err: unknown) => {
            write.fire(`\x1b[31m${redact(errorMessage(err))}\x1b[0m\r\n`);
            close.fire(1);
          },
        );
    },
    handleInput: (data) => {
      if (session) session.write(data);
      else early.push(data);
    },
    setDimensions: (d) => {
      size = d;
      session?.resize(d.columns, d.rows);
    },
    close: () => {
      closedByUser = true;
      session?.close();
      write.dispose();
      close.dispose();
    },
  };
  return vscode.window.createTerminal({ name: o.name, pty, iconPath: new vscode.ThemeIcon('terminal') });
}
