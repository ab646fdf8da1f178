// The message protocol of a details panel: a panel that reads the details of one subject and shows them read-only,
// with a Refresh button and a few actions (the describe view of a vcluster, describe.ts; of an object inside one,
// objectDescribe.ts). Each such panel defines a DetailsProtocol; the host side (src/webview/detailsPanel.ts) and the
// page (webview-ui/common/detailsPage.ts) speak it through the functions below.
//
// Rules both sides follow, as in the mapping protocol: the page sends `ready` first and again after it was re-created;
// the host answers with what it knows (loading, the details or the error); the host validates every message from the
// page with parseFromDetailsWebview() before it looks at it; an action is a name from the protocol's list, which the
// host maps to a command (nothing else runs). No vscode, no DOM, no Node: both bundles import this module.
import { isRecord } from './guards';

/** `{ [key]: subject }`: how the messages, the details and the persisted state name what is described. */
export type Named<K extends string, Subject> = { readonly [P in K]: Subject };

export interface DetailsProtocol<K extends string, Subject, Details, Action extends string, Report> {
  readonly version: number;
  /** The field that names the subject in the loading and loadError messages, in the details and in the saved state. */
  readonly subjectKey: K;
  /** The actions the page may ask for. */
  readonly actions: readonly Action[];
  /** Validates a subject that came back from outside the extension's memory (a restored page's state). */
  parseSubject(v: unknown): Subject | undefined;
  /** The fields of a `rendered` message, validated and copied; undefined when they do not validate. */
  parseReport(msg: Readonly<Record<string, unknown>>): Report | undefined;
  /** A list field every details object has: with the subject, the page's light shape check of posted details. */
  readonly listKey: keyof Details & string;
}

/** Any details protocol (for code that does not look at the types of its parts). */
export type AnyDetailsProtocol = DetailsProtocol<string, unknown, unknown, string, unknown>;

export type ToDetailsWebview<K extends string, Subject, Details> =
  /** A (re)read started. */
  | ({ readonly type: 'loading' } & Named<K, Subject>)
  | { readonly type: 'details'; readonly details: Details }
  /** Reading failed; `message` has been redacted. */
  | ({ readonly type: 'loadError'; readonly message: string } & Named<K, Subject>);

export type FromDetailsWebview<Action extends string, Report> =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'refresh' }
  /** Run a command on the subject (the host maps the name to a command id; nothing else runs). */
  | { readonly type: 'action'; readonly action: Action }
  /** What the page rendered, for the tests. */
  | ({ readonly type: 'rendered' } & Report)
  /** An unexpected error inside the page, for the log. */
  | { readonly type: 'clientError'; readonly message: string };

/** A count in a message from the page: a small non-negative integer. */
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000;

/** Validates a message from the page; undefined for anything unexpected. */
export function parseFromDetailsWebview<K extends string, S, D, A extends string, R>(
  p: DetailsProtocol<K, S, D, A, R>,
  msg: unknown,
): FromDetailsWebview<A, R> | undefined {
  if (!isRecord(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
      return isCount(msg.version) ? { type: 'ready', version: msg.version } : undefined;
    case 'refresh':
      return { type: 'refresh' };
    case 'action': {
      const action = p.actions.find((a) => a === msg.action);
      return action === undefined ? undefined : { type: 'action', action };
    }
    case 'rendered': {
      const report = p.parseReport(msg);
      return report === undefined ? undefined : { type: 'rendered', ...report };
    }
    case 'clientError':
      return typeof msg.message === 'string' && msg.message.length <= 4000 ? { type: 'clientError', message: msg.message } : undefined;
    default:
      return undefined;
  }
}

/** A light shape check on the page side (messages there come from the host). */
export function isToDetailsWebview<K extends string, S, D, A extends string, R>(p: DetailsProtocol<K, S, D, A, R>, v: unknown): v is ToDetailsWebview<K, S, D> {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'loading':
      return isRecord(v[p.subjectKey]);
    case 'details':
      return isRecord(v.details) && isRecord(v.details[p.subjectKey]) && Array.isArray(v.details[p.listKey]);
    case 'loadError':
      return isRecord(v[p.subjectKey]) && typeof v.message === 'string';
    default:
      return false;
  }
}

/** The state a page persists, `{ [subjectKey]: subject }` (for restoring the panel after a reload), or undefined. */
export function parseDetailsState<K extends string, S, D, A extends string, R>(p: DetailsProtocol<K, S, D, A, R>, v: unknown): Named<K, S> | undefined {
  if (!isRecord(v)) return undefined;
  const subject = p.parseSubject(v[p.subjectKey]);
  return subject === undefined ? undefined : ({ [p.subjectKey]: subject } as Named<K, S>);
}
