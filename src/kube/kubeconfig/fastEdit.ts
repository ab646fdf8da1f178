// Edits of a kubeconfig in kubectl's layout that touch only the lines they change, found through the fast reader's
// line spans (fastYaml.ts) instead of a parse by the yaml library: a top-level scalar (current-context) rewritten in
// its line, list items (clusters, contexts, users) appended after the last one, removed, or changed in place through
// yamlEdit's comment-keeping edit of that item alone. Anything else gives up (undefined) and the caller uses
// yamlEdit on the whole file. A result is returned only after the fast reader reads it back as exactly the target:
// the whole file when it is small; in a big one each new piece of text (a line, items under their list's key),
// because only whole lines change and the lines around them are the file's own.
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
/** Up to this size the whole result is read back; above, each new piece of text is. */
const WHOLE_CHECK_BYTES = 1024 * 1024;

/** A splice and what its text must read as on its own (`probe` prefixed to it). */
interface Checked extends Splice {
  readonly probe?: string;
  readonly expect?: JsonObject;
}

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

/** Equal values; the entries of a copied list are compared by reference first (the writer shares them). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i] || isDeepStrictEqual(x, b[i]));
  return isDeepStrictEqual(a, b);
}

const isScalar = (v: unknown): v is string | boolean | null => v === null || typeof v === 'string' || typeof v === 'boolean';
const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text that reads as `target`, made by splicing lines of `text` (read as `parsed`); undefined when not possible. */
export function fastEdit(text: string, parsed: FastParse, target: JsonObject, opts: FastEditOptions): { text: string; splices: Splice[] } | undefined {
  const { data, layout } = parsed;
  const starts = layout.lineStarts;
  const lineStart = (i: number) => starts[i]!;
  const lineEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1]! : text.length);
  const splices: Checked[] = [];
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
      splices.push({ ...editItem(list.items[i]!, list.column, w as JsonObject), probe: `${key}:\n`, expect: { [key]: [w] } as JsonObject });
    }
    for (let i = 0; i < old.length; i++) {
      if (!used.has(i)) splices.push({ start: lineStart(list.items[i]!.first), end: lineEnd(list.items[i]!.last), text: '' });
    }
    if (appended.length) {
      const at = lineEnd(list.items[list.items.length - 1]!.last);
      const pad = ' '.repeat(list.column);
      const body = opts
        .render(appended)
        .split('\n')
        .map((l) => (l ? pad + l : l))
        .join('\n');
      const newline = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
      splices.push({ start: at, end: at, text: newline + body, probe: `${key}:${newline ? '' : '\n'}`, expect: { [key]: appended } as JsonObject });
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
      if (old !== undefined && sameValue(old, v)) continue;
      const span = layout.keys.get(k);
      if (old === undefined) {
        if (!isScalar(v)) giveUp();
        appendAtEnd.push(scalarLine(k, v));
      } else if (isScalar(old) && isScalar(v) && span?.inline) {
        const line = text.slice(lineStart(span.first), lineEnd(span.first));
        if (/ #/.test(line.slice(k.length + 1))) giveUp(); // keep a comment on that line: the full edit does
        const replacement = scalarLine(k, v);
        splices.push({
          start: lineStart(span.first),
          end: lineEnd(span.first),
          text: line.endsWith('\n') ? replacement : replacement.slice(0, -1),
          probe: '',
          expect: { [k]: v } as JsonObject,
        });
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
  if (appendAtEnd.length) {
    const expect: JsonObject = {};
    for (const [k, v] of Object.entries(target)) if (!(k in data)) expect[k] = v as JsonObject[string];
    splices.push({ start: text.length, end: text.length, text: (text && !text.endsWith('\n') ? '\n' : '') + appendAtEnd.join(''), probe: '', expect });
  }
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return undefined;
  let out = '';
  let at = 0;
  for (const s of sorted) {
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  out += text.slice(at);
  if (out.length <= WHOLE_CHECK_BYTES) {
    const check = fastParseKubeconfig(out);
    if (!check || !isDeepStrictEqual(check.data, target)) return undefined;
  } else {
    for (const s of sorted) {
      if (s.expect === undefined) continue; // a removal of whole lines
      const check = fastParseKubeconfig(`${s.probe ?? ''}${s.text}`);
      if (!check || !isDeepStrictEqual(check.data, s.expect)) return undefined;
    }
  }
  return { text: out, splices: sorted.map(({ start, end, text: t }) => ({ start, end, text: t })) };
}
