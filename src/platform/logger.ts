import * as vscode from 'vscode';
import { OUTPUT_CHANNEL_NAME } from '../shared/ids';
import { redact } from '../shared/redact';
import { Disposable } from './disposable';

/**
 * The extension's one logger: a LogOutputChannel (levels, timestamps, the user picks the level). It is never shown on
 * its own; the user opens it with "vcluster: Show Log" or from an error message. Everything is passed through
 * redact() so that tokens, keys and certificates never reach the log.
 */
export class Logger extends Disposable {
  readonly channel = this.register(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));

  trace(msg: string): void {
    this.channel.trace(redact(msg));
  }
  debug(msg: string): void {
    this.channel.debug(redact(msg));
  }
  info(msg: string): void {
    this.channel.info(redact(msg));
  }
  warn(msg: string): void {
    this.channel.warn(redact(msg));
  }
  error(msg: string, err?: unknown): void {
    const detail = err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : err !== undefined ? String(err) : '';
    this.channel.error(redact(detail ? `${msg}: ${detail}` : msg));
  }
  /** Appends raw program output (e.g. the vcluster CLI's) line by line. */
  output(prefix: string, text: string): void {
    // Programs colour their output for terminals; the log shows plain text.
    const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const line of plain.split(/\r?\n/)) if (line.trim()) this.channel.info(redact(`[${prefix}] ${line}`));
  }
  show(): void {
    this.channel.show(true);
  }
}
