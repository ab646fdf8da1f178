// Reading kubeconfig files and merging them the way client-go does (tools/clientcmd/loader.go, Load): files in
// precedence order, the first file that defines a context, cluster or user wins, the first non-empty
// current-context wins, missing files are skipped. Problems are returned as data so that one broken entry never
// hides the good ones; KubeconfigError is thrown only when no file exists at all. The merge and the per-entry checks
// stand next to each other, so client-go's precedence rules read in one place.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { EntryKind, KubeconfigErrorCode, KubeconfigProblem } from './errors';
import { redact } from '../../shared/redact';
import { KubeconfigError } from './errors';
import { type FastLayout, fastParseKubeconfig } from './fastYaml';
import { lockPathFor, resolveSymlinks } from './lock';
import { isRecord } from '../../shared/guards';

/** YAML 1.1, as sigs.k8s.io/yaml (go-yaml v2) reads kubeconfigs: `yes`, `on`, `no` are booleans there. */
export const YAML_OPTIONS = { version: '1.1', uniqueKeys: true, prettyErrors: false } as const;

export type JsonObject = Record<string, unknown>;

export interface NamedEntry {
  readonly name: string;
  /** Absolute path of the file that defines it (the first in precedence order). */
  readonly file: string;
  /** Position in that file's list. */
  readonly index: number;
  /** Problems of this entry (empty when usable). */
  readonly problems: readonly string[];
}

export interface ClusterEntry extends NamedEntry {
  /** The `cluster` object as written in the file (kubeconfig field names), or {} when missing. */
  readonly cluster: JsonObject;
}

export interface UserEntry extends NamedEntry {
  /** The `user` object as written in the file (kubeconfig field names), or {} when missing. */
  readonly user: JsonObject;
}

export interface ContextEntry extends NamedEntry {
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
  /** The `context` object as written in the file. */
  readonly context: JsonObject;
}

export interface KubeconfigFileInfo {
  /** Absolute path as configured. */
  readonly path: string;
  /** The file really read when `path` is a symlink (watch this one too); equals path otherwise. */
  readonly realPath: string;
  readonly exists: boolean;
  /** True when the file could not be used at all (unreadable, invalid YAML, …): its entries are absent. */
  readonly failed: boolean;
  /** The current-context this file sets, if any. */
  readonly currentContext?: string;
}

export interface MergedKubeconfig {
  /** All configured files in precedence order. */
  readonly files: readonly KubeconfigFileInfo[];
  readonly currentContext?: string;
  /** The file whose current-context is in effect. */
  readonly currentContextFile?: string;
  /** Insertion order: file order, then order inside the file. */
  readonly contexts: ReadonlyMap<string, ContextEntry>;
  readonly clusters: ReadonlyMap<string, ClusterEntry>;
  readonly users: ReadonlyMap<string, UserEntry>;
  /** Every problem found, file-level and per entry. */
  readonly problems: readonly KubeconfigProblem[];
}

/** One file as read: its text (for comment-preserving edits) and its parsed content. */
export interface ParsedFile {
  readonly path: string;
  readonly realPath?: string;
  readonly exists: boolean;
  readonly text?: string;
  /** The exact bytes read (for byte-exact backups). */
  readonly bytes?: Buffer;
  /** Parsed content; undefined when missing or failed. Empty files parse to {}. */
  readonly data?: JsonObject;
  /** Where the top-level keys and list items are, when the fast reader read the file (for edits in place). */
  readonly layout?: FastLayout;
  readonly problems: KubeconfigProblem[];
  /** Set when the whole file is unusable. */
  readonly failed: boolean;
}

const LISTS = { cluster: 'clusters', user: 'users', context: 'contexts' } as const;

const STRING = 'string';
const BOOL = 'boolean';
const LIST = 'list';
const MAP = 'mapping';
type FieldType = typeof STRING | typeof BOOL | typeof LIST | typeof MAP;

const CLUSTER_FIELDS: Record<string, FieldType> = {
  server: STRING,
  'certificate-authority': STRING,
  'certificate-authority-data': STRING,
  'insecure-skip-tls-verify': BOOL,
  'tls-server-name': STRING,
  'proxy-url': STRING,
  'disable-compression': BOOL,
  extensions: LIST,
};
const USER_FIELDS: Record<string, FieldType> = {
  'client-certificate': STRING,
  'client-certificate-data': STRING,
  'client-key': STRING,
  'client-key-data': STRING,
  token: STRING,
  tokenFile: STRING,
  as: STRING,
  'as-uid': STRING,
  'as-groups': LIST,
  'as-user-extra': MAP,
  username: STRING,
  password: STRING,
  'auth-provider': MAP,
  exec: MAP,
  extensions: LIST,
};
const CONTEXT_FIELDS: Record<string, FieldType> = {
  cluster: STRING,
  user: STRING,
  namespace: STRING,
  extensions: LIST,
};
const FIELDS: Record<EntryKind, Record<string, FieldType>> = { cluster: CLUSTER_FIELDS, user: USER_FIELDS, context: CONTEXT_FIELDS };
/** The same, as lists (checked for every entry: a kubeconfig may have tens of thousands). */
const FIELD_LIST: Record<EntryKind, readonly (readonly [string, FieldType])[]> = {
  cluster: Object.entries(CLUSTER_FIELDS),
  user: Object.entries(USER_FIELDS),
  context: Object.entries(CONTEXT_FIELDS),
};

/** The connection and credential fields of an entry kind (all known fields except extensions). */
export function managedFields(kind: EntryKind): ReadonlySet<string> {
  return new Set(Object.keys(FIELDS[kind]).filter((k) => k !== 'extensions'));
}

/** A plain object (not null, not an array). */
export const isObject: (v: unknown) => v is JsonObject = isRecord;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

function hasType(v: unknown, t: FieldType): boolean {
  switch (t) {
    case STRING:
      return typeof v === 'string';
    case BOOL:
      return typeof v === 'boolean';
    case LIST:
      return Array.isArray(v);
    case MAP:
      return isObject(v);
  }
}

function describeType(t: FieldType): string {
  return t === STRING ? 'a string' : t === BOOL ? 'a boolean (true or false)' : t === LIST ? 'a list' : 'a mapping';
}

/** Type problems of a cluster/user/context body (field names only, never values). Empty when fine. */
export function entryBodyProblems(kind: EntryKind, body: JsonObject): string[] {
  const out: string[] = [];
  for (const [field, t] of FIELD_LIST[kind]) {
    const v = body[field];
    if (v !== undefined && v !== null && !hasType(v, t)) out.push(`"${field}" must be ${describeType(t)}, found ${typeName(v)}`);
  }
  if (kind === 'user' && isObject(body.exec)) {
    const ex = body.exec;
    if (typeof ex.command !== 'string' || ex.command === '') out.push('"exec.command" must be a non-empty string');
    if (ex.args !== undefined && ex.args !== null && !(Array.isArray(ex.args) && ex.args.every((a) => typeof a === 'string')))
      out.push('"exec.args" must be a list of strings');
    if (ex.env !== undefined && ex.env !== null && !(Array.isArray(ex.env) && ex.env.every((e) => isObject(e) && typeof e.name === 'string')))
      out.push('"exec.env" must be a list of {name, value}');
  }
  return out;
}

/** Parses one file's text. Never throws: problems come back in the result. */
export function parseKubeconfigText(file: string, text: string): ParsedFile {
  const problems: KubeconfigProblem[] = [];
  const fail = (code: KubeconfigErrorCode, what: string): ParsedFile => {
    problems.push({ file, code, message: `${file}: ${what}`, blocking: true });
    return { path: file, exists: true, text, problems, failed: true };
  };
  // kubectl's own layout is read by the fast reader; anything it is not sure of goes through the yaml library.
  const fast = fastParseKubeconfig(text);
  let data: unknown;
  if (fast) {
    data = fast.data;
  } else {
    let docs: YAML.Document.Parsed[];
    try {
      docs = YAML.parseAllDocuments(text, YAML_OPTIONS) as YAML.Document.Parsed[];
    } catch (err) {
      return fail('invalidYaml', `invalid YAML: ${safeYamlMessage(err, text)}`);
    }
    if (!Array.isArray(docs)) return fail('invalidYaml', 'invalid YAML');
    const withContent = docs.filter((d) => d.contents !== null || d.errors.length > 0);
    if (withContent.length > 1) return fail('multipleDocuments', `contains ${withContent.length} YAML documents; a kubeconfig is a single document`);
    const doc = withContent[0] ?? docs[0];
    const err = doc?.errors[0];
    if (err) return fail('invalidYaml', `invalid YAML: ${safeYamlMessage(err, text)}`);
    try {
      data = doc ? doc.toJS({ maxAliasCount: 100 }) : null;
    } catch (e) {
      return fail('invalidYaml', `invalid YAML: ${safeYamlMessage(e, text)}`);
    }
  }
  if (data === null || data === undefined) data = {};
  if (!isObject(data)) return fail('wrongType', `the top level must be a mapping (apiVersion, kind, clusters, contexts, users), found ${typeName(data)}`);
  if (data.kind !== undefined && data.kind !== null && data.kind !== 'Config') {
    return fail('wrongKind', `kind must be "Config", found ${typeof data.kind === 'string' ? JSON.stringify(data.kind) : typeName(data.kind)}`);
  }
  if (data.apiVersion !== undefined && data.apiVersion !== null && data.apiVersion !== 'v1') {
    return fail(
      'wrongKind',
      `apiVersion must be "v1", found ${typeof data.apiVersion === 'string' ? JSON.stringify(data.apiVersion) : typeName(data.apiVersion)}`,
    );
  }
  for (const list of ['clusters', 'users', 'contexts']) {
    const v = data[list];
    if (v !== undefined && v !== null && !Array.isArray(v)) return fail('wrongType', `"${list}" must be a list, found ${typeName(v)}`);
  }
  const cc = data['current-context'];
  if (cc !== undefined && cc !== null && typeof cc !== 'string') return fail('wrongType', `"current-context" must be a string, found ${typeName(cc)}`);
  const prefs = data.preferences;
  if (prefs !== undefined && prefs !== null && !isObject(prefs)) return fail('wrongType', `"preferences" must be a mapping, found ${typeName(prefs)}`);

  for (const kind of ['cluster', 'user', 'context'] as const) {
    const listName = LISTS[kind];
    const list = (data[listName] ?? []) as unknown[];
    const seen = new Map<string, number>();
    list.forEach((item, index): void => {
      // (the strings below are made only when there is a problem: a kubeconfig may have tens of thousands of entries)
      const at = () => `${listName}[${index}]`;
      const entryProblem = (code: KubeconfigErrorCode, what: string, name?: string): void => {
        problems.push({ file, code, message: `${file}: ${what}`, entry: { kind, index, ...(name !== undefined ? { name } : {}) }, blocking: true });
      };
      if (!isObject(item)) return entryProblem('wrongType', `${at()} must be a mapping with "name" and "${kind}", found ${typeName(item)}`);
      const name = item.name;
      if (typeof name !== 'string' || name === '') {
        return entryProblem(
          name === undefined || name === null || name === '' ? 'missingName' : 'wrongType',
          `${at()} has no name${name !== undefined && name !== null && name !== '' ? ` (found ${typeName(name)})` : ''}`,
        );
      }
      const label = () => `${kind} ${JSON.stringify(name)} (${at()})`;
      const prev = seen.get(name);
      if (prev !== undefined)
        return entryProblem('duplicateName', `${label()} has the same name as ${listName}[${prev}]; names must be unique within a file`, name);
      seen.set(name, index);
      const body = item[kind];
      if (body !== undefined && body !== null && !isObject(body))
        return entryProblem('wrongType', `${label()}: "${kind}" must be a mapping, found ${typeName(body)}`, name);
      if (isObject(body)) for (const what of entryBodyProblems(kind, body)) entryProblem('wrongType', `${label()}: ${what}`, name);
    });
  }
  return { path: file, exists: true, text, data, problems, failed: false, ...(fast ? { layout: fast.layout } : {}) };
}

/** The YAML library's message without its source excerpt (which could show credentials), plus line and column. */
function safeYamlMessage(err: unknown, text: string): string {
  return redact(yamlMessage(err, text));
}

function yamlMessage(err: unknown, text: string): string {
  if (err instanceof YAML.YAMLError) {
    const first = err.message
      .split('\n')[0]!
      .replace(/ at line \d+, column \d+:?$/, '')
      .replace(/:$/, '');
    const pos = err.linePos?.[0] ?? (err.pos ? linePos(text, err.pos[0]) : undefined);
    return pos ? `line ${pos.line}, column ${pos.col}: ${first}` : first;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!;
}

function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

/** Reads and parses one file. Missing files (also dangling symlinks) come back with exists=false. */
export async function readKubeconfigFile(file: string): Promise<ParsedFile> {
  const abs = path.resolve(file);
  const realPath = await resolveSymlinks(abs).catch(() => abs);
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path: abs, realPath, exists: false, problems: [], failed: false };
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unknown error');
    return {
      path: abs,
      realPath,
      exists: true,
      problems: [{ file: abs, code: 'unreadable', message: `${abs}: cannot be read (${why})`, blocking: true }],
      failed: true,
    };
  }
  // the same bytes as the last reading of this file: the same reading (nobody changes a ParsedFile)
  const last = lastReading.get(abs);
  if (last?.bytes?.equals(bytes)) return last.realPath === realPath ? last : { ...last, realPath };
  const parsed = { ...parseKubeconfigText(abs, bytes.toString('utf8')), realPath, bytes };
  if (lastReading.size > 16) lastReading.clear();
  lastReading.set(abs, parsed);
  return parsed;
}

/**
 * The last reading of each file, for the next read of unchanged bytes: the tree, the status bar and the writer read
 * a kubeconfig several times per change, and parsing one of 10,000 contexts takes a few hundred milliseconds.
 */
const lastReading = new Map<string, ParsedFile>();

/** The last merge, for the same readings again (see lastReading): results are never changed by their users. */
let lastMerge: { parsed: readonly ParsedFile[]; merged: MergedKubeconfig } | undefined;

/** Merges parsed files first-wins and checks references. Pure: used by the loader and by the writer. */
export function mergeParsed(parsed: readonly ParsedFile[]): MergedKubeconfig {
  if (lastMerge && lastMerge.parsed.length === parsed.length && lastMerge.parsed.every((p, i) => p === parsed[i])) return lastMerge.merged;
  const merged = mergeAll(parsed);
  lastMerge = { parsed: [...parsed], merged };
  return merged;
}

function mergeAll(parsed: readonly ParsedFile[]): MergedKubeconfig {
  const problems: KubeconfigProblem[] = [];
  const clusters = new Map<string, ClusterEntry>();
  const users = new Map<string, UserEntry>();
  const contexts = new Map<string, ContextEntry>();
  let currentContext: string | undefined;
  let currentContextFile: string | undefined;
  const files: KubeconfigFileInfo[] = [];

  for (const pf of parsed) {
    problems.push(...pf.problems);
    const cc = pf.data?.['current-context'];
    files.push({
      path: pf.path,
      realPath: pf.realPath ?? pf.path,
      exists: pf.exists,
      failed: pf.failed,
      ...(typeof cc === 'string' && cc !== '' ? { currentContext: cc } : {}),
    });
    if (!pf.data || pf.failed) continue;
    if (currentContext === undefined && typeof cc === 'string' && cc !== '') {
      currentContext = cc;
      currentContextFile = pf.path;
    }
    const noProblems: KubeconfigProblem[] = [];
    const entryProblems = (kind: EntryKind, index: number) =>
      pf.problems.length === 0 ? noProblems : pf.problems.filter((p) => p.entry?.kind === kind && p.entry.index === index);
    for (const kind of ['cluster', 'user', 'context'] as const) {
      const list = (pf.data[LISTS[kind]] ?? []) as unknown[];
      list.forEach((item, index) => {
        if (!isObject(item) || typeof item.name !== 'string' || item.name === '') return;
        const ownProblems = entryProblems(kind, index);
        if (ownProblems.some((p) => p.code === 'duplicateName')) return; // a later duplicate inside one file is ignored
        const own = ownProblems.map((p) => p.message);
        const name = item.name;
        const body = isObject(item[kind]) ? (item[kind] as JsonObject) : {};
        if (kind === 'cluster') {
          if (clusters.has(name)) return;
          const ps = [...own];
          if (typeof body.server !== 'string' || body.server === '') {
            const m = `${pf.path}: cluster ${JSON.stringify(name)} has no server`;
            ps.push(m);
            problems.push({ file: pf.path, code: 'incomplete', message: m, entry: { kind, name, index }, blocking: false });
          }
          clusters.set(name, { name, file: pf.path, index, problems: ps, cluster: body });
        } else if (kind === 'user') {
          if (users.has(name)) return;
          users.set(name, { name, file: pf.path, index, problems: own, user: body });
        } else {
          if (contexts.has(name)) return;
          contexts.set(name, {
            name,
            file: pf.path,
            index,
            problems: own,
            cluster: typeof body.cluster === 'string' ? body.cluster : '',
            user: typeof body.user === 'string' ? body.user : '',
            ...(typeof body.namespace === 'string' && body.namespace !== '' ? { namespace: body.namespace } : {}),
            context: body,
          });
        }
      });
    }
  }

  // References are resolved against the merged view, as client-go does after merging.
  for (const [name, ctx] of contexts) {
    const ps = [...ctx.problems];
    const label = () => `${ctx.file}: context ${JSON.stringify(name)}`;
    const add = (code: KubeconfigErrorCode, m: string) => {
      ps.push(m);
      problems.push({ file: ctx.file, code, message: m, entry: { kind: 'context', name, index: ctx.index }, blocking: false });
    };
    if (ctx.cluster === '') add('incomplete', `${label()} names no cluster`);
    else {
      const c = clusters.get(ctx.cluster);
      if (!c) add('danglingReference', `${label()} refers to cluster ${JSON.stringify(ctx.cluster)}, which no kubeconfig file defines`);
      else if (c.problems.length > 0)
        add('danglingReference', `${label()} refers to cluster ${JSON.stringify(ctx.cluster)}, which is unusable: ${c.problems[0]}`);
    }
    if (ctx.user !== '') {
      const u = users.get(ctx.user);
      if (!u) add('danglingReference', `${label()} refers to user ${JSON.stringify(ctx.user)}, which no kubeconfig file defines`);
      else if (u.problems.length > 0) add('danglingReference', `${label()} refers to user ${JSON.stringify(ctx.user)}, which is unusable: ${u.problems[0]}`);
    }
    if (ps.length !== ctx.problems.length) contexts.set(name, { ...ctx, problems: ps });
  }
  if (currentContext !== undefined && !contexts.has(currentContext) && currentContextFile) {
    problems.push({
      file: currentContextFile,
      code: 'danglingReference',
      message: `${currentContextFile}: current-context ${JSON.stringify(currentContext)} names a context that no kubeconfig file defines`,
      blocking: false,
    });
  }
  return {
    files,
    ...(currentContext !== undefined ? { currentContext } : {}),
    ...(currentContextFile !== undefined ? { currentContextFile } : {}),
    contexts,
    clusters,
    users,
    problems,
  };
}

/**
 * Loads and merges the given files (precedence order, see kubeconfigFiles). Throws KubeconfigError('noKubeconfig')
 * when none of them exists; every other problem is returned in `problems` (and on the entries concerned).
 * Reads without taking the lock; a file that fails to parse while `<file>.lock` exists is read again for up to about
 * a second, because kubectl rewrites files in place under that lock.
 */
export async function loadKubeconfig(files: readonly string[]): Promise<MergedKubeconfig> {
  const parsed = await Promise.all(files.map((f) => readKubeconfigFile(f)));
  // kubectl rewrites a kubeconfig in place while holding <file>.lock: a file that is malformed while its lock
  // exists is most likely half-written, so read it again shortly (for up to about a second).
  for (let attempt = 0; attempt < 20; attempt++) {
    const busy = parsed.map((p, i) => (p.problems.some((x) => x.blocking) && fs.existsSync(lockPathFor(p.path)) ? i : -1)).filter((i) => i >= 0);
    if (busy.length === 0) break;
    await new Promise((r) => setTimeout(r, 50));
    for (const i of busy) parsed[i] = await readKubeconfigFile(files[i]!);
  }
  if (parsed.length === 0 || parsed.every((p) => !p.exists)) {
    const list = files.map((f) => path.resolve(f)).join(', ');
    throw new KubeconfigError('noKubeconfig', `No kubeconfig file found (looked for ${list || 'nothing'})`, files[0] ? path.resolve(files[0]) : undefined);
  }
  return mergeParsed(distinctFiles(parsed));
}

/**
 * The same file listed twice (under two spellings, or once through a symlink) is one file: only its first place in
 * the list counts. client-go drops repeated KUBECONFIG entries by string (loader.go, deduplicate) and its first-wins
 * merge makes a second reading of a file add nothing; the writer must not plan two edits of one file either.
 */
export function distinctFiles(parsed: readonly ParsedFile[]): ParsedFile[] {
  const seen = new Set<string>();
  return parsed.filter((p) => {
    const key = p.realPath ?? p.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Problems that make kubectl refuse the file: the writer refuses to edit while any exists. */
export function blockingProblems(merged: MergedKubeconfig): KubeconfigProblem[] {
  return merged.problems.filter((p) => p.blocking);
}
