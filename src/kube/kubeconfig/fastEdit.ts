// Edits of a kubeconfig in kubectl's layout that touch only the lines they change, found through the fast reader's
// line spans (fastYaml.ts) instead of a parse by the yaml library: a top-level scalar (current-context) rewritten in
// its line, list items (clusters, contexts, users) appended after the last one, removed, or changed in place through
// yamlEdit's comment-keeping edit of that item alone. Anything else gives up (undefined) and the caller uses
// yamlEdit on the whole file. A result is returned only after the fast reader reads it back as exactly the target.
import { isDeepStrictEqual } from 'node:util';
import { type FastParse, type JsonObject, fastParseKubeconfig } from './fastYaml';

/** One replacement of text[start, end) by `text`, in the coordinates of the original text. */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface FastEditOptions {
  /** YAML text of a value in kubectl's layout (block style, strings kubectl could misread quoted), ending in a newline. */
  readonly render: (value: unknown) => string;
  /** Edits the text of one list item (a mapping document of its own) so that it reads as `item`. */
  readonly editItem: (itemText: string, item: JsonObject) => string;
}

const LIST_KEYS = new Set(['clusters', 'contexts', 'users']);

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

const isScalar = (v: unknown): v is string | boolean | null => v === null || typeof v === 'string' || typeof v === 'boolean';
const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text that reads as `target`, made by splicing lines of `text` (read as `parsed`); undefined when not possible. */
export function fastEdit(text: string, parsed: FastParse, target: JsonObject, opts: FastEditOptions): { text: string; splices: Splice[] } | undefined {
  const { data, layout } = parsed;
  const starts = layout.lineStarts;
  const lineStart = (i: number) => starts[i]!;
  const lineEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1]! : text.length);
  const splices: Splice[] = [];
  const appendAtEnd: string[] = [];

  const scalarLine = (key: string, value: unknown) => {
    const rendered = opts.render({ [key]: value });
    if (rendered.indexOf('\n') !== rendered.length - 1) giveUp();
    return rendered;
  };

  const editList = (key: string, old: unknown[], want: unknown[]) => {
    const list = layout.lists.get(key) ?? giveUp();
    if (list.items.length !== old.length || old.length === 0) giveUp();
    const byName = new Map<string, number>();
    old.forEach((o, i) => {
      const name = isObj(o) && typeof o.name === 'string' ? o.name : giveUp();
      if (byName.has(name)) giveUp();
      byName.set(name, i);
    });
    const used = new Set<number>();
    const appended: JsonObject[] = [];
    let lastOld = -1;
    for (const w of want) {
      const name = isObj(w) && typeof w.name === 'string' ? w.name : giveUp();
      const i = byName.get(name);
      if (i === undefined) {
        appended.push(w as JsonObject);
        continue;
      }
      // existing entries keep their order, new ones come after all of them
      if (i < lastOld || appended.length) giveUp();
      lastOld = i;
      used.add(i);
      if (old[i] === w || isDeepStrictEqual(old[i], w)) continue;
      splices.push(editItem(list.items[i]!, list.column, w as JsonObject));
    }
    for (let i = 0; i < old.length; i++) {
      if (!used.has(i)) splices.push({ start: lineStart(list.items[i]!.first), end: lineEnd(list.items[i]!.last), text: '' });
    }
    if (appended.length) {
      const at = lineEnd(list.items[list.items.length - 1]!.last);
      const pad = ' '.repeat(list.column);
      const body = opts.render(appended).split('\n').map((l) => (l ? pad + l : l)).join('\n');
      splices.push({ start: at, end: at, text: (at > 0 && text[at - 1] !== '\n' ? '\n' : '') + body });
    }
  };

  /** The item's lines as a document of its own (dash and indentation taken off), edited, and indented back. */
  const editItem = (span: { first: number; last: number }, column: number, want: JsonObject): Splice => {
    const start = lineStart(span.first);
    const end = lineEnd(span.last);
    const lines = text.slice(start, end).split('\n');
    const first = /^( *- +)/.exec(lines[0]!) ?? giveUp();
    const prefix = first[1]!;
    if (prefix.length - 2 < column) giveUp();
    const inner = prefix.length;
    const own = lines.map((l, n) => {
      if (n === 0) return l.slice(inner);
      if (l.trim() === '') return '';
      if (!l.startsWith(' '.repeat(inner))) giveUp(); // a comment (or anything) left of the item's column
      return l.slice(inner);
    });
    const edited = opts.editItem(own.join('\n'), want).split('\n');
    const back = edited.map((l, n) => (n === 0 ? prefix + l : l ? ' '.repeat(inner) + l : l)).join('\n');
    return { start, end, text: back.endsWith('\n') || end === text.length ? back : `${back}\n` };
  };

  try {
    for (const k of Object.keys(data)) if (!(k in target)) giveUp();
    for (const [k, v] of Object.entries(target)) {
      const old = data[k];
      if (old === v || (old !== undefined && isDeepStrictEqual(old, v))) continue;
      const span = layout.keys.get(k);
      if (old === undefined) {
        if (!isScalar(v)) giveUp();
        appendAtEnd.push(scalarLine(k, v));
      } else if (isScalar(old) && isScalar(v) && span?.inline) {
        const line = text.slice(lineStart(span.first), lineEnd(span.first));
        if (/ #/.test(line.slice(k.length + 1))) giveUp(); // keep a comment on that line: the full edit does
        const replacement = scalarLine(k, v);
        splices.push({ start: lineStart(span.first), end: lineEnd(span.first), text: line.endsWith('\n') ? replacement : replacement.slice(0, -1) });
      } else if (LIST_KEYS.has(k) && Array.isArray(old) && Array.isArray(v)) {
        editList(k, old, v);
      } else {
        giveUp();
      }
    }
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
  if (appendAtEnd.length) splices.push({ start: text.length, end: text.length, text: (text && !text.endsWith('\n') ? '\n' : '') + appendAtEnd.join('') });
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return undefined;
  let out = '';
  let at = 0;
  for (const s of sorted) {
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  out += text.slice(at);
  const check = fastParseKubeconfig(out);
  if (!check || !isDeepStrictEqual(check.data, target)) return undefined;
  return { text: out, splices: sorted };
}
