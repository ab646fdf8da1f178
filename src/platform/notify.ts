import * as vscode from 'vscode';
import { inertLinks } from '../shared/inertText';
import { redactClipped } from '../shared/redact';

// The one way the extension shows a notification, a progress notification or a modal message (lint forbids
// window.show*Message and ProgressLocation.Notification elsewhere).
// Messages quote cluster data (Status messages, user names from a 403, names of nested vclusters, program output), so
// the message and a modal's detail are redacted (no credential reaches the screen) and then made inert (VS Code turns
// `[label](command:…)` in a notification into a link that runs the command; see src/shared/inertText.ts). Buttons are
// the extension's own words and are passed on as they are.

/** The message, or a modal's detail, as it may be shown. */
export function shownText(text: string): string {
  return inertLinks(redactClipped(text));
}

type Show = (message: string, ...rest: (string | vscode.MessageOptions)[]) => Thenable<string | undefined>;

function show(fn: () => Show, message: string, rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  const [first, ...items] = rest;
  // Looked up at each call: the integration tests observe the extension's messages by wrapping vscode.window's functions.
  if (first !== undefined && typeof first === 'object') {
    const options = first.detail === undefined ? first : { ...first, detail: shownText(first.detail) };
    return fn()(shownText(message), options, ...items);
  }
  return fn()(shownText(message), ...rest);
}

export function error<T extends string>(message: string, ...items: T[]): Thenable<T | undefined>;
export function error<T extends string>(message: string, options: vscode.MessageOptions, ...items: T[]): Thenable<T | undefined>;
export function error(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show(() => vscode.window.showErrorMessage as Show, message, rest);
}

export function warning<T extends string>(message: string, ...items: T[]): Thenable<T | undefined>;
export function warning<T extends string>(message: string, options: vscode.MessageOptions, ...items: T[]): Thenable<T | undefined>;
export function warning(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show(() => vscode.window.showWarningMessage as Show, message, rest);
}

export function info<T extends string>(message: string, ...items: T[]): Thenable<T | undefined>;
export function info<T extends string>(message: string, options: vscode.MessageOptions, ...items: T[]): Thenable<T | undefined>;
export function info(message: string, ...rest: (string | vscode.MessageOptions)[]): Thenable<string | undefined> {
  return show(() => vscode.window.showInformationMessage as Show, message, rest);
}

/**
 * A cancellable progress notification. Its title and every reported message (often a program's output line) are
 * notification text too: redacted and inert like a message.
 */
export function progress<T>(title: string, task: (report: (message: string) => void, token: vscode.CancellationToken) => Thenable<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: shownText(title), cancellable: true }, (p, token) =>
    task((message) => p.report({ message: shownText(message) }), token),
  );
}
