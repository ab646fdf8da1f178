import type * as vscode from 'vscode';

const KEY = 'vcluster.recentContexts';
const MAX = 10;

/** The contexts the user switched or connected to, most recent first, kept across windows (global state). */
export class RecentContexts {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    return this.state.get<string[]>(KEY, []);
  }

  async remember(name: string): Promise<void> {
    await this.state.update(KEY, [name, ...this.list().filter((n) => n !== name)].slice(0, MAX));
  }
}
