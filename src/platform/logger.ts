import * as vscode from 'vscode';
import { OUTPUT_CHANNEL_NAME } from '../shared/ids';
import { redactClipped } from '../shared/redact';
import { Disposable } from './disposable';

/**
 * The extension's one logger: a LogOutputChannel (levels, timestamps, the user picks the level). It is never shown on
 * its own; the user opens it with "vcluster: Show Log" or from an error message. Everything is passed through
 * redact() so that tokens, keys and certificates never reach the log, after being cut to MAX_MESSAGE_CHARS (a line
 * quoting a server's answer of any size stays readable and costs little to redact).
 */
export class Logger extends Disposable {
  readonly channel = this.register(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));

  trace(msg: string): void {
    this.channel.trace(redactClipped(msg));
  }
  debug(msg: string): void {
    this.channel.debug(redactClipped(msg));
  }
  info(msg: string): void {
    this.channel.info(redactClipped(msg));
  }
  warn(msg: string): void {
    this.channel.warn(redactClipped(msg));
  }
  error(msg: string, err?: unknown): void {
    const detail = err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : err !== undefined ? String(err) : '';
    this.channel.error(redactClipped(detail ? `${msg}: ${detail}` : msg));
  }
  /** Appends raw program output (e.g. the vcluster CLI's) line by line. */
  output(prefix: string, text: string): void {
    // Programs colour their output for terminals; the log shows plain text.
    const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const line of plain.split(/\r?\n/)) if (line.trim()) this.channel.info(redactClipped(`[${prefix}] ${line}`));
  }
  show(): void {
    this.channel.show(true);
  }
}
