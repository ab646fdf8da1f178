// Minimal, comment-preserving edits of a kubeconfig's YAML text. The caller says what the file's content must become
// (a plain object); this module finds the differences through the yaml Document API (node ranges) and splices only
// the text of the nodes that differ, so comments, key order, quoting and unknown fields elsewhere stay byte for byte.
// Every result is parsed again and compared with the requested content; if the minimal edit cannot express the
// change (flow style, exotic layouts) the whole document is re-rendered through the Document API instead, which
// still keeps comments. A result that does not parse back to the requested content is never returned.
import { isDeepStrictEqual } from 'node:util';
import YAML, { isMap, isScalar, isSeq } from 'yaml';
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import { KubeconfigError } from './errors';
import { GO_YAML_UNSAFE, escapeGoYamlUnsafe, goYamlReadsAsNonString } from './goYaml';
import type { JsonObject } from './model';
import { YAML_OPTIONS, isObject } from './model';

/** kubectl's layout: sequences not indented under their key, no line folding. */
const STRINGIFY = { version: '1.1', indentSeq: false, lineWidth: 0, minContentWidth: 0 } as const;

class NeedsFallback extends Error {}

/**
 * The document's text as kubectl must read it (see goYaml.ts): strings its YAML decoder would read as numbers, bools or
 * null get double quotes, and strings holding a character it would refuse or read as a line break are double-quoted
 * with that character escaped.
 */
function toGoYaml(doc: YAML.Document): string {
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      if (GO_YAML_UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
      else if (!node.type?.startsWith('QUOTE') && node.type !== 'BLOCK_LITERAL' && goYamlReadsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return escapeGoYamlUnsafe(doc.toString(STRINGIFY));
}

/** YAML text of a value in kubectl's layout, with every string kubectl could misread quoted (fastEdit renders with it). */
export function renderYaml(value: unknown): string {
  return toGoYaml(new YAML.Document(value, { version: '1.1' }));
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface EditResult {
  readonly text: string;
  /** True when only the differing parts were spliced; false when the document had to be re-rendered. */
  readonly minimal: boolean;
}

/** Renders a new kubeconfig file. */
export function renderNewKubeconfig(content: JsonObject): string {
  return renderYaml(content);
}

/**
 * Returns `text` changed so that it parses to `target`. `file` only names the file in errors.
 * Throws KubeconfigError('editFailed') if no correct rendering could be produced (nothing should then be written).
 */
export function editKubeconfigText(file: string, text: string | undefined, target: JsonObject): EditResult {
  if (text === undefined) return { text: renderNewKubeconfig(target), minimal: true };
  try {
    return { text: spliceTowards(text, target), minimal: true };
  } catch (err) {
    if (!(err instanceof NeedsFallback)) throw err;
  }
  const out = rerender(text, target);
  if (parsesTo(out, target)) return { text: out, minimal: false };
  throw new KubeconfigError('editFailed', `${file}: the change could not be rendered as YAML that reads back correctly; nothing was written`, file);
}

function parsesTo(text: string, target: JsonObject): boolean {
  const doc = YAML.parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0) return false;
  const js: unknown = doc.toJS() ?? {};
  return isDeepStrictEqual(js, target);
}

function rerender(text: string, target: JsonObject): string {
  const doc = YAML.parseDocument(text, YAML_OPTIONS);
  const current: unknown = doc.toJS() ?? {};
  if (!isMap(doc.contents) || !isObject(current)) {
    doc.contents = doc.createNode(target) as typeof doc.contents;
  } else {
    for (const [k, v] of Object.entries(target)) {
      if (!isDeepStrictEqual(current[k], v)) doc.set(k, doc.createNode(v));
    }
    for (const k of Object.keys(current)) if (!(k in target)) doc.delete(k);
  }
  return toGoYaml(doc);
}

/** Splices until the text parses to target; returns only verified text. */
function spliceTowards(original: string, target: JsonObject): string {
  let text = original;
  for (let i = 0; i < 50; i++) {
    const doc = YAML.parseDocument(text, YAML_OPTIONS);
    if (doc.errors.length > 0) throw new NeedsFallback();
    const splices = new Splicer(text, doc).next(target);
    if (splices.length === 0) {
      if (isDeepStrictEqual(doc.toJS() ?? {}, target)) return text;
      throw new NeedsFallback();
    }
    // Apply the disjoint ones from the end backwards so earlier offsets stay valid; the rest waits for the next pass.
    const accepted: Splice[] = [];
    for (const sp of [...splices].sort((a, b) => a.start - b.start)) {
      const prev = accepted[accepted.length - 1];
      if (prev && sp.start <= prev.end) continue;
      accepted.push(sp);
    }
    for (const sp of [...accepted].reverse()) text = text.slice(0, sp.start) + sp.text + text.slice(sp.end);
    if (accepted.length === splices.length && parsesTo(text, target)) return text;
  }
  throw new NeedsFallback();
}

function isScalarValue(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

class Splicer {
  private readonly eol: string;

  constructor(
    private readonly text: string,
    private readonly doc: YAML.Document.Parsed,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** One splice per differing top-level key (they touch disjoint text), or none when the text parses to target. */
  next(target: JsonObject): Splice[] {
    const top = this.doc.contents;
    if (top === null || (isScalar(top) && top.value === null)) {
      // Empty file or comments only: append the whole content after what is there.
      const start = top && isScalar(top) && top.range ? top.range[0] : this.text.length;
      const end = top && isScalar(top) && top.range ? top.range[1] : this.text.length;
      const sep = start > 0 && this.text[start - 1] !== '\n' ? this.eol : '';
      return [{ start, end, text: sep + this.lines(renderYaml(target), 0) }];
    }
    if (!isMap(top) || top.flow) throw new NeedsFallback();
    const out: Splice[] = [];
    const pairs = top.items as Pair[];
    const byKey = new Map<unknown, Pair>();
    for (const p of pairs) {
      if (!isScalar(p.key)) throw new NeedsFallback();
      byKey.set(p.key.value, p);
    }
    const appended: JsonObject = {};
    for (const [k, v] of Object.entries(target)) {
      const pair = byKey.get(k);
      if (!pair) {
        appended[k] = v;
        continue;
      }
      const current: unknown = YAML.isNode(pair.value) ? pair.value.toJS(this.doc) : pair.value;
      if (!isDeepStrictEqual(current ?? null, v)) out.push(this.diffValue(pair, v));
    }
    if (Object.keys(appended).length > 0) out.push(this.appendPair(top, appended));
    if (out.length > 0) return out;
    for (const p of pairs) {
      const k = (p.key as YAML.Scalar).value;
      if (typeof k !== 'string' || !(k in target)) return [this.removePair(p)];
    }
    return [];
  }

  // ---- positions ----------------------------------------------------------------------------------------------

  private lineStart(pos: number): number {
    return this.text.lastIndexOf('\n', pos - 1) + 1;
  }

  /** The end (after the newline) of the line holding the last non-blank character before pos. */
  private lineEndAfter(pos: number): number {
    let p = pos;
    while (p > 0 && /\s/.test(this.text[p - 1]!)) p--;
    const nl = this.text.indexOf('\n', p);
    return nl < 0 ? this.text.length : nl + 1;
  }

  private column(pos: number): number {
    return pos - this.lineStart(pos);
  }

  /** Start of the line at pos, provided only blanks precede pos on it. */
  private ownLineStart(pos: number): number {
    const ls = this.lineStart(pos);
    if (!/^[ \t]*$/.test(this.text.slice(ls, pos))) throw new NeedsFallback();
    return ls;
  }

  private dashBefore(pos: number): number {
    let p = pos - 1;
    while (p >= 0 && /\s/.test(this.text[p]!)) p--;
    if (this.text[p] !== '-') throw new NeedsFallback();
    return p;
  }

  private valueEnd(pair: Pair): number {
    const v = pair.value as { range?: [number, number, number] } | null;
    const k = pair.key as { range?: [number, number, number] };
    const end = v?.range?.[1] ?? k.range?.[1];
    if (end === undefined) throw new NeedsFallback();
    return end;
  }

  private keyStart(pair: Pair): number {
    const k = pair.key;
    if (!isScalar(k) || !k.range) throw new NeedsFallback();
    return k.range[0];
  }

  /** Text ending at a line end, so an insertion right after it starts on a fresh line. */
  private atLineEnd(pos: number): string {
    return pos > 0 && this.text[pos - 1] !== '\n' ? this.eol : '';
  }

  private lines(rendered: string, col: number): string {
    const pad = ' '.repeat(col);
    return rendered
      .split('\n')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n')
      .replace(/\n/g, this.eol);
  }

  private inline(v: unknown): string {
    if (typeof v === 'string' && /[\r\n]/.test(v)) return JSON.stringify(v);
    const s = renderYaml(v).trimEnd();
    if (s.includes('\n')) throw new NeedsFallback();
    return s;
  }

  // ---- diffs ----------------------------------------------------------------------------------------------------

  private diffMap(map: YAMLMap, target: JsonObject): Splice | undefined {
    const pairs = map.items as Pair[];
    const byKey = new Map<unknown, Pair>();
    for (const p of pairs) {
      if (!isScalar(p.key)) throw new NeedsFallback();
      byKey.set(p.key.value, p);
    }
    for (const [k, v] of Object.entries(target)) {
      const pair = byKey.get(k);
      if (!pair) return this.appendPair(map, { [k]: v });
      const current: unknown = YAML.isNode(pair.value) ? pair.value.toJS(this.doc) : pair.value;
      if (isDeepStrictEqual(current ?? null, v)) continue;
      return this.diffValue(pair, v);
    }
    for (const p of pairs) {
      const k = (p.key as YAML.Scalar).value;
      if (typeof k !== 'string' || !(k in target)) return this.removePair(p);
    }
    return undefined;
  }

  private diffValue(pair: Pair, v: unknown): Splice {
    const node = pair.value;
    if ((node === null || isScalar(node)) && isScalarValue(v)) {
      if (isScalar(node) && node.range && !node.tag && !node.anchor) {
        const [start, end] = node.range;
        const sep = start === end && this.text[start - 1] === ':' ? ' ' : '';
        return { start, end, text: sep + this.inline(v) };
      }
      return this.replaceValue(pair, v);
    }
    if (isMap(node) && !node.flow && isObject(v) && !isEmptyCollection(v)) {
      return this.diffMap(node, v) ?? this.replaceValue(pair, v);
    }
    if (isSeq(node) && !node.flow && Array.isArray(v) && v.length > 0 && this.isNamedList(node, v)) {
      return this.diffNamedSeq(pair, node, v as JsonObject[]) ?? this.replaceValue(pair, v);
    }
    return this.replaceValue(pair, v);
  }

  private isNamedList(seq: YAMLSeq, v: unknown[]): boolean {
    return v.every((x) => isObject(x) && typeof x.name === 'string') && seq.items.every((it) => isMap(it) && !it.flow && typeof it.get('name') === 'string');
  }

  private diffNamedSeq(pair: Pair, seq: YAMLSeq, target: JsonObject[]): Splice | undefined {
    const items = seq.items as YAMLMap[];
    const targetByName = new Map(target.map((t) => [t.name as string, t]));
    const present = new Set<string>();
    for (const item of items) {
      const name = item.get('name') as string;
      present.add(name);
      const want = targetByName.get(name);
      if (!want) continue;
      if (!isDeepStrictEqual(item.toJS(this.doc), want)) return this.diffMap(item, want);
    }
    for (const t of target) {
      if (!present.has(t.name as string)) return this.appendSeqItem(seq, t);
    }
    for (let i = 0; i < items.length; i++) {
      if (!targetByName.has(items[i]!.get('name') as string)) {
        if (items.length === 1) return this.replaceValue(pair, target);
        return this.removeSeqItem(items[i]!);
      }
    }
    return undefined;
  }

  private appendPair(map: YAMLMap, entries: JsonObject): Splice {
    const pairs = map.items as Pair[];
    const last = pairs[pairs.length - 1];
    const first = pairs[0];
    if (!last || !first) throw new NeedsFallback();
    const at = this.lineEndAfter(this.valueEnd(last));
    const col = this.column(this.keyStart(first));
    return { start: at, end: at, text: this.atLineEnd(at) + this.lines(renderYaml(entries), col) };
  }

  private removePair(pair: Pair): Splice {
    const start = this.ownLineStart(this.keyStart(pair));
    return { start, end: this.lineEndAfter(this.valueEnd(pair)), text: '' };
  }

  private replaceValue(pair: Pair, v: unknown): Splice {
    const keyNode = pair.key;
    if (!isScalar(keyNode) || !keyNode.range) throw new NeedsFallback();
    let colon = keyNode.range[1];
    while (colon < this.text.length && (this.text[colon] === ' ' || this.text[colon] === '\t')) colon++;
    if (this.text[colon] !== ':') throw new NeedsFallback();
    const start = colon + 1;
    const end = this.lineEndAfter(Math.max(this.valueEnd(pair), start));
    const col = this.column(keyNode.range[0]);
    const endsLine = end > 0 && this.text[end - 1] === '\n';
    const tail = endsLine ? this.eol : '';
    if (isScalarValue(v) || isEmptyCollection(v)) return { start, end, text: ` ${this.inline(v)}${tail}` };
    const rendered = renderYaml(v).replace(/\n$/, '');
    const body = this.lines(rendered, Array.isArray(v) ? col : col + 2);
    return { start, end, text: this.eol + body + (endsLine ? this.eol : '') };
  }

  private appendSeqItem(seq: YAMLSeq, item: JsonObject): Splice {
    const items = seq.items as YAMLMap[];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first?.range || !last?.range) throw new NeedsFallback();
    const col = this.column(this.dashBefore(first.range[0]));
    const at = this.lineEndAfter(last.range[1]);
    return { start: at, end: at, text: this.atLineEnd(at) + this.lines(renderYaml([item]), col) };
  }

  private removeSeqItem(item: YAMLMap): Splice {
    if (!item.range) throw new NeedsFallback();
    const start = this.ownLineStart(this.dashBefore(item.range[0]));
    return { start, end: this.lineEndAfter(item.range[1]), text: '' };
  }
}
