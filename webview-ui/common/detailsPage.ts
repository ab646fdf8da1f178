// The life of a details page (the describe views of a vcluster and of an object inside one), for any details protocol
// (src/shared/detailsProtocol.ts; the host side is src/webview/detailsPanel.ts): what it describes, from its saved
// state until the host names it; the host's messages (loading, details, loadError) and the `rendered` report after
// each; `ready` when the page starts. The page module gives its header, its sections and its reports.
// Everything from the cluster goes into the DOM as text, never as HTML.

import {
  isToDetailsWebview,
  parseDetailsState,
  type DetailsProtocol,
  type FromDetailsWebview,
  type Named,
  type ToDetailsWebview,
} from '../../src/shared/detailsProtocol';
import { el } from './dom';
import { listen, vscode } from './vscodeApi';

/** What a page module draws. */
export interface DetailsView<Details, Report> {
  /** The title, the actions and the status line: `status` while nothing is known, `details` once they are. */
  header(details: Details | undefined, status?: string): HTMLElement;
  /** The sections that show the details. */
  sections(details: Details): HTMLElement[];
  /** What the page reports after showing `details` (its sections are in `app` by then). */
  report(details: Details, sections: readonly HTMLElement[], app: HTMLElement): Report;
  /** What the page reports after showing a read error (in `app`). */
  errorReport(app: HTMLElement): Report;
  /** The start of the error line: "Could not describe the vcluster". */
  readonly failure: string;
}

export interface DetailsPage<Subject, Action extends string, Details, Report> {
  /** What the page describes, once known (the saved state, then the host's messages). */
  subject(): Subject | undefined;
  /** Asks the host to read the details again. */
  refresh(): void;
  /** Asks the host to run one of the protocol's actions on the subject. */
  action(action: Action): void;
  /** Shows `Loading…`, follows the host's messages and tells the host that the page is ready. */
  start(view: DetailsView<Details, Report>): void;
}

export function detailsPage<K extends string, Subject, Details extends Named<K, Subject>, Action extends string, Report>(
  protocol: DetailsProtocol<K, Subject, Details, Action, Report>,
): DetailsPage<Subject, Action, Details, Report> {
  const key = protocol.subjectKey;
  const saved = (state: unknown): Subject | undefined => parseDetailsState(protocol, state)?.[key];
  const initial = (): Subject | undefined => {
    const s = saved(vscode.getState());
    if (s !== undefined) return s;
    try {
      return saved(JSON.parse(document.body.dataset.state ?? '{}'));
    } catch {
      return undefined;
    }
  };
  let subject = initial();
  const post = (msg: FromDetailsWebview<Action, Report>): void => vscode.postMessage(msg);
  const remember = (s: Subject): void => {
    subject = s;
    vscode.setState({ [key]: s });
  };

  function start(view: DetailsView<Details, Report>): void {
    const app = document.getElementById('app')!;
    const onMessage = (msg: ToDetailsWebview<K, Subject, Details>): void => {
      switch (msg.type) {
        case 'loading':
          remember(msg[key]);
          app.setAttribute('aria-busy', 'true');
          if (!app.querySelector('section')) app.replaceChildren(view.header(undefined, 'Loading…'));
          break;
        case 'details': {
          remember(msg.details[key]);
          const sections = view.sections(msg.details);
          app.replaceChildren(view.header(msg.details), ...sections);
          app.setAttribute('aria-busy', 'false');
          post({ type: 'rendered', ...view.report(msg.details, sections, app) });
          break;
        }
        case 'loadError':
          subject = msg[key];
          app.setAttribute('aria-busy', 'false');
          app.replaceChildren(view.header(undefined), el('p', { class: 'status error' }, `${view.failure}: ${msg.message}`));
          post({ type: 'rendered', ...view.errorReport(app) });
          break;
        default: {
          const never: never = msg;
          void never;
        }
      }
    };
    listen((v): v is ToDetailsWebview<K, Subject, Details> => isToDetailsWebview(protocol, v), onMessage);
    app.replaceChildren(view.header(undefined, 'Loading…'));
    post({ type: 'ready', version: protocol.version });
  }

  return {
    subject: () => subject,
    refresh: () => post({ type: 'refresh' }),
    action: (action) => post({ type: 'action', action }),
    start,
  };
}
