import { ListBounds, type KubeClient } from './client';
import { resourcePath, type ResourceLocation } from './kinds';

// Objects of any kind as `kubectl get` prints them: the API server's own Table (meta.k8s.io/v1), with the columns
// of the kind's printer, or a custom resource's additionalPrinterColumns. Each cell becomes plain text the way
// kubectl's table printer writes it (k8s.io/cli-runtime v0.34 pkg/printers/tableprinter.go printTable): a string up
// to its first line break (then "..."), anything else printed as a value, nothing for null; and never markup: a
// cell is text for a label, to be escaped by whatever shows it. A server without Table support (some aggregated API
// servers) gets kubectl's fallback columns, Name and Age.

/** Table first; then the plain list, as kubectl asks (cli-runtime v0.34 pkg/resource/helper.go asTable). */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
/** For kinds listed as metadata only (Secrets, ConfigMaps): Table, else metadata, never the objects themselves. */
export const TABLE_ACCEPT_METADATA = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** Most columns kept of one table; most characters kept of one cell. */
export const MAX_TABLE_COLUMNS = 100;
export const MAX_CELL_CHARS = 1024;

export interface TableColumn {
  readonly name: string;
  /** The OpenAPI type: string, integer, number, boolean, date. */
  readonly type: string;
  /** "name" for the name column, "date", … or "". */
  readonly format: string;
  /** 0: shown by `kubectl get`; above 0: only by `kubectl get -o wide`. */
  readonly priority: number;
}

export interface TableRow {
  readonly name: string;
  /** The object's namespace (namespaced kinds). */
  readonly namespace?: string;
  /** One per column, as plain text. */
  readonly cells: readonly string[];
}

export interface ResourceTable {
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableRow[];
  /** Set when there are more rows: pass it back for the next page. */
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export interface TableOptions {
  /** For a namespaced kind: this namespace only; without it, all namespaces. Ignored for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Rows per request (kubectl get's --chunk-size default). */
export const TABLE_PAGE_SIZE = 500;

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown, max = 253): string => (typeof v === 'string' ? v.slice(0, max) : '');

// C0 and C1 controls but tab, DEL, and bidirectional overrides: nothing a label should carry from a server.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One cell as plain text, as kubectl prints it. */
export function cellText(cell: unknown): string {
  let s: string;
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const brk = cell.search(/[\f\n\r]/);
    s = brk >= 0 ? `${cell.slice(0, brk)}...` : cell;
  } else if (typeof cell === 'number' || typeof cell === 'boolean') s = String(cell);
  else s = JSON.stringify(cell) ?? '';
  if (s.length > MAX_CELL_CHARS) s = `${s.slice(0, MAX_CELL_CHARS)}…`;
  return s.replace(CONTROL, '\ufffd');
}

/** "3s", "5m", "2h", "4d", "1y": kubectl's short age (k8s.io/apimachinery duration.ShortHumanDuration). */
export function shortHumanAge(created: string | undefined, now = Date.now()): string {
  if (!created) return '';
  const s = Math.floor((now - Date.parse(created)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/**
 * A server's answer as a table: a meta.k8s.io Table as it is; a plain or metadata list with kubectl's fallback
 * columns. Rows without a name are left out; `namespace` is the namespace asked for, for rows that do not say.
 */
export function parseTable(doc: unknown, namespace?: string, now = Date.now()): ResourceTable {
  const d = obj(doc);
  const meta = obj(d.metadata);
  const page = {
    ...(typeof meta.continue === 'string' && meta.continue ? { continue: meta.continue } : {}),
    ...(typeof meta.resourceVersion === 'string' && meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
  };
  const nsOf = (m: Record<string, unknown>) => {
    const ns = str(m.namespace) || namespace;
    return ns ? { namespace: ns } : {};
  };
  if (d.kind === 'Table') {
    const columns: TableColumn[] = (Array.isArray(d.columnDefinitions) ? d.columnDefinitions : []).slice(0, MAX_TABLE_COLUMNS).map((c) => {
      const o = obj(c);
      return {
        name: cellText(str(o.name, MAX_CELL_CHARS)),
        type: str(o.type, 32),
        format: str(o.format, 32),
        priority: typeof o.priority === 'number' && Number.isInteger(o.priority) && o.priority >= 0 ? o.priority : 0,
      };
    });
    const nameColumn = columns.findIndex((c) => c.format === 'name');
    const rows: TableRow[] = [];
    for (const raw of Array.isArray(d.rows) ? d.rows : []) {
      const r = obj(raw);
      const cells = Array.isArray(r.cells) ? r.cells : [];
      const m = obj(obj(r.object).metadata);
      const name = str(m.name) || (nameColumn >= 0 && typeof cells[nameColumn] === 'string' ? str(cells[nameColumn]) : '');
      if (!name) continue;
      // More cells than columns: the extra ones are dropped, as kubectl does; fewer: empty cells.
      rows.push({ name, ...nsOf(m), cells: columns.map((_, i) => cellText(cells[i])) });
    }
    return { columns, rows, ...page };
  }
  const columns: TableColumn[] = [
    { name: 'Name', type: 'string', format: 'name', priority: 0 },
    { name: 'Age', type: 'string', format: '', priority: 0 },
  ];
  const rows: TableRow[] = [];
  for (const raw of Array.isArray(d.items) ? d.items : []) {
    const m = obj(obj(raw).metadata);
    const name = str(m.name);
    if (!name) continue;
    rows.push({ name, ...nsOf(m), cells: [cellText(name), shortHumanAge(str(m.creationTimestamp, 64), now)] });
  }
  return { columns, rows, ...page };
}

/** One page of objects of a resource as a table. */
export async function listTablePage(
  client: KubeClient,
  r: ResourceLocation & { readonly metadataOnly?: boolean },
  o: TableOptions = {},
): Promise<ResourceTable> {
  const doc = await client.get<unknown>(resourcePath(r, { namespace: o.namespace }), {
    accept: r.metadataOnly ? TABLE_ACCEPT_METADATA : TABLE_ACCEPT,
    query: { includeObject: 'Metadata', limit: o.limit ?? TABLE_PAGE_SIZE, continue: o.continue, labelSelector: o.labelSelector },
    signal: o.signal,
    timeoutMs: o.timeoutMs,
  });
  return parseTable(doc, r.namespaced ? o.namespace : undefined);
}

/**
 * Every object of a resource as a table, page by page, bounded as every paged list (ListBounds). The columns are
 * those of the first page (the server sends the same ones with every page).
 */
export async function listTable(client: KubeClient, r: ResourceLocation & { readonly metadataOnly?: boolean }, o: TableOptions = {}): Promise<ResourceTable> {
  const bounds = new ListBounds(client, resourcePath(r, { namespace: o.namespace }));
  const rows: TableRow[] = [];
  let columns: readonly TableColumn[] | undefined;
  let resourceVersion: string | undefined;
  let cont: string | undefined;
  do {
    const page = await listTablePage(client, r, { ...o, continue: cont });
    columns ??= page.columns;
    resourceVersion ??= page.resourceVersion;
    for (const row of page.rows) rows.push(row);
    cont = page.continue;
    bounds.page(page.rows.length, cont);
  } while (cont);
  return { columns: columns ?? [], rows, ...(resourceVersion ? { resourceVersion } : {}) };
}
