// A fast reader for kubeconfigs in the block layout kubectl writes (and most people keep): nested block mappings and
// sequences, one-line plain/single/double-quoted scalars, `{}` and `[]`, comments. It gives the same value as the
// `yaml` library does with YAML_OPTIONS (version 1.1) or gives up (undefined) at the first thing it is not sure of
// — anchors, aliases, tags, block scalars, flow collections, multi-line scalars, documents, tabs, CR, duplicate or
// non-plain keys, and every plain scalar that could be a number, a timestamp, a bool or null in YAML 1.1 other than
// the exact bool/null words. The caller then parses with the `yaml` library, which reports problems properly.
//
// Why: the `yaml` library needs seconds for the 16 MB kubeconfig of 10,000 contexts, read on every change and twice
// by every edit; this reads it in a fraction of that. It also returns where each top-level key and each item of the
// clusters/contexts/users lists sits (line spans), so that fastEdit.ts can edit the text in place.

export type JsonValue = string | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

/** Lines [first, last] (0-based, inclusive) of the text that hold one top-level key or one list item. */
export interface Span {
  readonly first: number;
  readonly last: number;
}

export interface FastLayout {
  /** Top-level keys in file order; `inline`: the value is a scalar on the key's own line. */
  readonly keys: ReadonlyMap<string, Span & { readonly inline: boolean }>;
  /** The items of the top-level lists clusters, contexts and users, with the column of their dashes. */
  readonly lists: ReadonlyMap<string, { readonly column: number; readonly items: readonly (Span & { readonly name?: string })[] }>;
  /** Offset in the text of the start of every line. */
  readonly lineStarts: readonly number[];
}

export interface FastParse {
  readonly data: JsonObject;
  readonly layout: FastLayout;
}

const LIST_KEYS = new Set(['clusters', 'contexts', 'users']);
// YAML 1.1 as the `yaml` library reads it (its yaml-1.1 schema): these plain words are not strings.
const NULLS = new Set(['~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NUMERIC = /^[0-9A-Fa-f_.:+\-xXoObBtTzZ ]*$/;
const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

/** `key: rest` or `key:` with a plain key; undefined for anything else. */
function keyOf(text: string): { key: string; rest: string } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const next = text.charCodeAt(colon + 1);
  if (colon + 1 < text.length && next !== 32) return undefined;
  const key = text.slice(0, colon);
  if (!KEY_NAME.test(key)) return undefined;
  let r = colon + 1;
  while (text.charCodeAt(r) === 32) r++;
  return { key, rest: text.slice(r) };
}
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', ' ': ' ' };

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

interface Token {
  readonly dash: boolean;
  readonly indent: number;
  readonly text: string;
  /** Physical line. */
  readonly line: number;
}

function tokenize(text: string): { tokens: Token[]; lineStarts: number[] } {
  // control characters (tab and CR included) and Unicode line breaks anywhere: the yaml library decides
  if (/[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(text)) giveUp();
  const tokens: Token[] = [];
  const lineStarts: number[] = [];
  let at = 0;
  for (let line = 0; at <= text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    lineStarts.push(at);
    let indent = 0;
    while (text.charCodeAt(at + indent) === 32) indent++;
    let rest = text.slice(at + indent, end);
    at = end + 1;
    if (rest === '' || rest[0] === '#') continue;
    if (indent === 0 && (rest[0] === '%' || /^(---|\.\.\.)( |$)/.test(rest))) giveUp();
    while (rest === '-' || rest.startsWith('- ')) {
      tokens.push({ dash: true, indent, text: '', line });
      if (rest === '-') {
        rest = '';
        break;
      }
      let k = 2;
      while (rest.charCodeAt(k) === 32) k++;
      indent += k;
      rest = rest.slice(k);
    }
    if (rest === '') continue;
    if (rest[0] === '#') giveUp(); // "- # comment": an empty item
    tokens.push({ dash: false, indent, text: rest, line });
  }
  return { tokens, lineStarts };
}

function rest(s: string): void {
  if (!/^ *(#.*)?$/.test(s)) giveUp();
}

/** A one-line scalar (or {} / []), as the yaml library reads it with version 1.1; gives up on anything else. */
function scalar(s: string): JsonValue {
  const c = s[0]!;
  if (c === '"') {
    let out = '';
    for (let i = 1; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === '"') {
        rest(s.slice(i + 1));
        return out;
      }
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = s[++i];
      if (e === undefined) giveUp();
      if (e! in ESCAPES) out += ESCAPES[e!];
      else if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(i + 1, i + 1 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) giveUp();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) giveUp();
        out += String.fromCodePoint(code);
        i += n;
      } else giveUp();
    }
    return giveUp();
  }
  if (c === "'") {
    let out = '';
    for (let i = 1; i < s.length; i++) {
      const ch = s[i]!;
      if (ch !== "'") {
        out += ch;
        continue;
      }
      if (s[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      rest(s.slice(i + 1));
      return out;
    }
    return giveUp();
  }
  if (s.startsWith('{}') || s.startsWith('[]')) {
    rest(s.slice(2));
    return c === '{' ? {} : [];
  }
  if ('&*!|>%@`{[]},?:#<='.includes(c)) giveUp();
  let v = s;
  if (s.indexOf(' ') >= 0) {
    const hash = s.indexOf(' #');
    v = (hash >= 0 ? s.slice(0, hash) : s).trimEnd();
    if (v.includes(': ')) giveUp();
  }
  if (v.endsWith(':')) giveUp();
  // Numbers, sexagesimals and timestamps of YAML 1.1 start with a digit, a sign or a dot and hold nothing but the
  // characters below: anything else there is a string (base64 data, --flags). `.inf` and `.nan` are the exceptions.
  if ('-+.0123456789'.includes(c) && (NUMERIC.test(v) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(v))) giveUp();
  // the yaml library's 1.1 float allows a missing mantissa: `e1` is a number there
  if ((c === 'e' || c === 'E') && /^[eE][-+]?[0-9]+$/.test(v)) giveUp();
  if (NULLS.has(v)) return null;
  if (TRUES.has(v)) return true;
  if (FALSES.has(v)) return false;
  return v;
}

/** Reads a kubeconfig's text, or returns undefined when it is not in the layout this reader is sure about. */
export function fastParseKubeconfig(text: string): FastParse | undefined {
  let tokens: Token[];
  let lineStarts: number[];
  try {
    ({ tokens, lineStarts } = tokenize(text));
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
  let pos = 0;
  const keys = new Map<string, Span & { inline: boolean }>();
  const lists = new Map<string, { column: number; items: (Span & { name?: string })[] }>();

  const node = (): JsonValue => (tokens[pos]!.dash ? seq(tokens[pos]!.indent) : map(tokens[pos]!.indent, false));

  function seq(indent: number, items?: (Span & { name?: string })[]): JsonValue[] {
    const out: JsonValue[] = [];
    while (pos < tokens.length && tokens[pos]!.dash && tokens[pos]!.indent === indent) {
      const first = tokens[pos]!.line;
      pos++;
      const t = tokens[pos];
      let item: JsonValue = null;
      if (t && !t.dash && t.line === first && !keyOf(t.text)) {
        // a scalar item: `- value`
        pos++;
        item = scalar(t.text);
        if (pos < tokens.length && tokens[pos]!.indent > indent) giveUp();
      } else if (t && t.indent > indent) {
        item = node();
      }
      out.push(item);
      if (items) {
        const name = item && typeof item === 'object' && !Array.isArray(item) && typeof item.name === 'string' ? item.name : undefined;
        items.push({ first, last: tokens[pos - 1]!.line, ...(name !== undefined ? { name } : {}) });
      }
    }
    return out;
  }

  function map(indent: number, root: boolean): JsonObject {
    const out: JsonObject = {};
    while (pos < tokens.length && !tokens[pos]!.dash && tokens[pos]!.indent === indent) {
      const t = tokens[pos]!;
      const m = keyOf(t.text) ?? giveUp();
      const key = m.key;
      if (Object.hasOwn(out, key) || key === '__proto__' || NULLS.has(key) || TRUES.has(key) || FALSES.has(key) || /^[eE][0-9]+$/.test(key)) giveUp();
      const after = m.rest;
      pos++;
      let value: JsonValue;
      const inline = after !== '' && after[0] !== '#';
      if (inline) {
        value = scalar(after);
        if (pos < tokens.length && tokens[pos]!.indent > indent) giveUp(); // a continued scalar
      } else if (pos < tokens.length && tokens[pos]!.indent > indent) {
        value = node();
      } else if (pos < tokens.length && tokens[pos]!.dash && tokens[pos]!.indent === indent) {
        // a sequence may sit at its key's column
        const items = root && LIST_KEYS.has(key) ? ([] as (Span & { name?: string })[]) : undefined;
        value = seq(indent, items);
        if (items) lists.set(key, { column: indent, items });
      } else {
        value = null;
      }
      out[key] = value;
      if (root) keys.set(key, { first: t.line, last: tokens[pos - 1]!.line, inline });
    }
    const next = tokens[pos];
    if (next && (next.indent > indent || (next.indent === indent && next.dash))) giveUp();
    return out;
  }

  try {
    if (tokens.length === 0) return { data: {}, layout: { keys, lists, lineStarts } };
    if (tokens[0]!.dash || tokens[0]!.indent !== 0) return undefined;
    const data = map(0, true);
    if (pos !== tokens.length) return undefined;
    return { data, layout: { keys, lists, lineStarts } };
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}
