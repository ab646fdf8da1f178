import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { KeyMoves, moveMessage } from './migrations';
import { deprecationAt, type JsonSchema } from './schema';

// Validates a vcluster.yaml against vcluster's JSON schema (draft 2020-12, through ajv) and reports every problem at
// the line and column of the key or value it concerns, as the YAML extension would. On top of the schema: keys that
// older vcluster versions used get a warning that names the key to use now (migrations.ts), and keys the schema marks
// deprecated get one too. Helm validates values after dropping nulls (a null removes a default), so nulls pass.
// No vscode import: the diagnostics provider and the commands turn ConfigProblems into what VS Code shows.

/** 0-based, like vscode.Position. */
export interface ConfigPosition {
  readonly line: number;
  readonly character: number;
}

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly start: ConfigPosition;
  readonly end: ConfigPosition;
  /** The dotted key path concerned ('' for the document). */
  readonly path: string;
  /** yaml: not valid YAML; schema: rejected by the schema; moved / deprecated: an old key. */
  readonly kind: 'yaml' | 'schema' | 'moved' | 'deprecated';
}

export interface ValidationResult {
  readonly problems: readonly ConfigProblem[];
  /** The parsed values (undefined when the YAML does not parse). */
  readonly values?: unknown;
}

type Segment = string | number;

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Why a schema `pattern` could make a backtracking engine (JavaScript's) take more than linear time in the length of
 * the value, or undefined when it cannot: accepted are patterns without backreferences and lookarounds whose one
 * unbounded quantifier (`*`, `+`, `{n,}`, or `{n,m}` with m over 64) repeats a single character or class, anchored with `^` unless the pattern is
 * just that repetition (which matches at once). vcluster's schema has two such patterns (`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
 * and `.*`); anything else is refused when the schema is compiled, never run.
 */
export function unsafePattern(src: string): string | undefined {
  interface Group {
    inner: boolean;
  }
  const stack: Group[] = [{ inner: false }];
  let last: 'none' | 'atom' | Group = 'none';
  let unbounded = 0;
  let i = 0;
  const skipTo = (close: string) => {
    const j = src.indexOf(close, i);
    if (j < 0) return false;
    i = j + 1;
    return true;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (/[1-9]/.test(n) || (n === 'k' && src[i + 2] === '<')) return 'a backreference';
      i += 2;
      if ((n === 'p' || n === 'P' || n === 'u') && src[i] === '{' && !skipTo('}')) return 'an unterminated escape';
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      if (src[i] === '^') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) return 'an unterminated character class';
      i++;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      if (/^\(\?(?:=|!|<=|<!)/.test(src.slice(i, i + 4))) return 'a lookaround';
      if (src.startsWith('(?:', i)) i += 3;
      else if (src.startsWith('(?<', i)) {
        if (!skipTo('>')) return 'an unterminated group name';
      } else i++;
      stack.push({ inner: false });
      last = 'none';
      continue;
    }
    if (c === ')') {
      if (stack.length < 2) return 'an unbalanced parenthesis';
      const g = stack.pop()!;
      if (g.inner) stack[stack.length - 1]!.inner = true;
      last = g;
      i++;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.inner = true;
      last = 'none';
      i++;
      continue;
    }
    const q = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/.exec(src.slice(i));
    if (q) {
      if (last === 'none') return 'a quantifier without an atom';
      const max = q[0] === '?' ? 1 : q[0] === '*' || q[0] === '+' ? Infinity : q[2] === undefined ? Number(q[1]) : q[3] === '' ? Infinity : Number(q[3]);
      if (max > 1 && last !== 'atom' && last.inner) return 'a repeated group that itself repeats or alternates';
      // A long bounded repetition backtracks like an unbounded one.
      if (max > 64) {
        if (last !== 'atom') return 'an unbounded repetition of a group';
        unbounded++;
      }
      stack[stack.length - 1]!.inner = true;
      i += q[0].length;
      if (src[i] === '?') i++;
      last = 'none';
      continue;
    }
    last = 'atom';
    i++;
  }
  if (stack.length !== 1) return 'an unbalanced parenthesis';
  if (unbounded > 1) return 'more than one unbounded repetition';
  if (unbounded === 1 && !src.startsWith('^') && !/^(?:\.|\\.|\[[^\]]*\])\*$/.test(src)) return 'an unbounded repetition that is not anchored with ^';
  return undefined;
}

/** ajv's pattern engine: JavaScript's RegExp, for patterns unsafePattern accepts only. */
function linearRegExp(pattern: string, flags: string): RegExp {
  const why = unsafePattern(pattern);
  if (why) throw new Error(`The schema's pattern ${JSON.stringify(pattern.slice(0, 80))} is refused: it has ${why}, which can take exponential time.`);
  return new RegExp(pattern, flags);
}
linearRegExp.code = 'new RegExp';

/** Compiles a schema once (ajv's code generation for vcluster's schema takes a second or two). */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    // strict off: vcluster's schema uses keywords ajv does not know in strict mode; verbose: errors carry the data
    // (for the null rule) and the schema (to name the allowed types of a oneOf). Patterns go through linearRegExp.
    const ajv = new Ajv2020({
      allErrors: true,
      strict: false,
      verbose: true,
      validateSchema: false,
      code: { optimize: false, regExp: linearRegExp },
    });
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

function keyOf(p: Pair): string | undefined {
  const k = p.key;
  if (isScalar(k)) return String(k.value);
  return typeof k === 'string' ? k : undefined;
}

interface Located {
  /** The pair whose key is the last segment (for object members). */
  readonly pair?: Pair;
  readonly node?: Node;
}

/** Finds the YAML node at an instance path. */
function locate(doc: Document, path: readonly Segment[]): Located {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      pair = node.items.find((p) => keyOf(p) === String(seg));
      if (!pair) return {};
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      pair = undefined;
      node = node.items[seg];
      if (node === undefined) return {};
    } else {
      return {};
    }
  }
  return { ...(pair ? { pair } : {}), ...(node && typeof node === 'object' ? { node: node as Node } : {}) };
}

function rangeOf(n: unknown): [number, number] | undefined {
  const r = (n as { range?: [number, number, number] } | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Instance path segments with array indexes as numbers (JSON pointers do not tell them apart). */
function typedPath(values: unknown, pointer: string): Segment[] {
  const out: Segment[] = [];
  let cur = values;
  for (const s of pointerToPath(pointer)) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(s);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
    }
  }
  return out;
}

function dotted(path: readonly Segment[]): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : typeof v}`;
}

function allowedTypes(schema: unknown): string[] {
  const s = schema as { type?: string | string[]; oneOf?: unknown[]; anyOf?: unknown[]; enum?: unknown[] } | undefined;
  if (!s) return [];
  if (s.type) return Array.isArray(s.type) ? s.type : [s.type];
  if (s.enum) return s.enum.map((e) => JSON.stringify(e));
  return [...(s.oneOf ?? []), ...(s.anyOf ?? [])].flatMap((b) => allowedTypes(b));
}

function messageFor(e: ErrorObject, path: string): string {
  const where = path ? `${path}: ` : '';
  switch (e.keyword) {
    case 'additionalProperties':
      return `Property "${String((e.params as { additionalProperty: string }).additionalProperty)}" is not allowed${path ? ` in ${path}` : ' at the top level'} (vcluster schema)`;
    case 'type':
      return `${where}must be ${String((e.params as { type: string | string[] }).type).replace(/,/g, ' or ')}, not ${typeName(e.data)}`;
    case 'enum':
      return `${where}must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
    case 'anyOf': {
      const types = [...new Set(allowedTypes(e.parentSchema))];
      return `${where}must be ${types.length ? types.join(' or ') : 'one of the allowed forms'}, not ${typeName(e.data)}`;
    }
    case 'required':
      return `${where}missing required property "${String((e.params as { missingProperty: string }).missingProperty)}"`;
    default:
      return `${where}${e.message ?? 'is not valid'}`;
  }
}

/** Drops the per-branch errors under a failed oneOf/anyOf (the oneOf error says it once) and errors about nulls. */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  return errors.filter((e) => {
    if (e.data === null && e.keyword !== 'additionalProperties' && e.keyword !== 'required') return false;
    return !unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`) && e.instancePath.startsWith(u.instancePath));
  });
}

export class VClusterConfigValidator {
  constructor(
    readonly schema: JsonSchema,
    private readonly moves: KeyMoves = new KeyMoves(),
  ) {}

  /** Validates vcluster.yaml text. Never throws for bad input: everything wrong becomes a problem. */
  validate(text: string): ValidationResult {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    const pos = (offset: number): ConfigPosition => {
      const p = lc.linePos(Math.max(0, Math.min(offset, text.length)));
      return { line: p.line - 1, character: p.col - 1 };
    };
    const problems: ConfigProblem[] = [];
    const at = (range: [number, number] | undefined, p: Omit<ConfigProblem, 'start' | 'end'>) => {
      const [a, b] = range ?? [0, 0];
      problems.push({ ...p, start: pos(a), end: pos(Math.max(a, b)) });
    };
    if (doc.errors.length) {
      for (const e of doc.errors)
        at([e.pos[0], e.pos[1]], { severity: 'error', message: e.message.split('\n')[0] ?? 'YAML syntax error', path: '', kind: 'yaml' });
      return { problems };
    }
    const values: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (values === null || values === undefined) return { problems, values };
    if (typeof values !== 'object' || Array.isArray(values)) {
      at(rangeOf(doc.contents), { severity: 'error', message: 'A vcluster.yaml is a map of keys (e.g. controlPlane:, sync:)', path: '', kind: 'schema' });
      return { problems, values };
    }

    const validate = compileSchema(this.schema);
    validate(values);
    const invalidKeys = new Set<string>();
    for (const e of simplify(validate.errors ?? [])) {
      const path = typedPath(values, e.instancePath);
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const full = [...path, key];
        invalidKeys.add(JSON.stringify(full));
        const { pair } = locate(doc, full);
        at(rangeOf(pair?.key), { severity: 'error', message: messageFor(e, dotted(path)), path: dotted(full), kind: 'schema' });
        continue;
      }
      const { pair, node } = locate(doc, path);
      // A scalar is marked where it stands; a map or list at its key.
      const target = node && isScalar(node) ? node : (pair?.key ?? node);
      at(rangeOf(target), { severity: 'error', message: messageFor(e, dotted(path)), path: dotted(path), kind: 'schema' });
    }

    this.oldKeys(doc, invalidKeys, at);
    problems.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
    return { problems, values };
  }

  /** Warnings for keys of older versions (not valid here) and keys the schema marks deprecated. */
  private oldKeys(doc: Document, invalidKeys: Set<string>, at: (range: [number, number] | undefined, p: Omit<ConfigProblem, 'start' | 'end'>) => void): void {
    const reported = new Set<string>();
    const visit = (node: unknown, path: string[], invalid: boolean) => {
      if (!isMap(node)) return;
      for (const pair of node.items) {
        const key = keyOf(pair);
        if (key === undefined) continue;
        const full = [...path, key];
        const nowInvalid = invalid || invalidKeys.has(JSON.stringify(full));
        if (nowInvalid) {
          const move = this.moves.find(full);
          if (move && !reported.has(move.from) && move.from === full.slice(0, move.from.split('.').length).join('.')) {
            reported.add(move.from);
            if (move.from === full.join('.')) at(rangeOf(pair.key), { severity: 'warning', message: moveMessage(move), path: move.from, kind: 'moved' });
          }
        } else {
          const dep = deprecationAt(this.schema, full);
          if (dep) {
            const instead = dep.replacement ? `: use "${dep.replacement.join('.')}" instead` : '';
            at(rangeOf(pair.key), {
              severity: dep.rejected ? 'error' : 'warning',
              message: dep.rejected ? `"${full.join('.')}" was removed: ${dep.note}` : `"${full.join('.')}" is deprecated${instead} (${dep.note})`,
              path: full.join('.'),
              kind: 'deprecated',
            });
          }
        }
        visit(pair.value, full, nowInvalid);
      }
    };
    visit(doc.contents, [], false);
  }
}

/** True when the problems stop Create and Upgrade (errors; warnings do not). */
export function hasErrors(problems: readonly ConfigProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
