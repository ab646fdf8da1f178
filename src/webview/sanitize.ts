// What leaves the extension host for the webviews: metadata only, with free text from the cluster passed
// through redact(). No vscode import (unit-tested in plain Node).

import type { MappingModel, MappingRow } from '../shared/model';
import { redact } from '../shared/redact';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Copies a model for posting to the webview: only the fields the protocol defines (so that nothing a producer
 * attached by mistake, such as a raw object, travels along), statuses and error messages through redact().
 */
export function sanitizeModel(model: MappingModel): MappingModel {
  const rows = model.rows.map((r): MappingRow => {
    const out: Mutable<MappingRow> = { kind: r.kind, state: r.state };
    if (r.virtualNamespace !== undefined) out.virtualNamespace = r.virtualNamespace;
    if (r.virtualName !== undefined) out.virtualName = r.virtualName;
    if (r.hostNamespace !== undefined) out.hostNamespace = r.hostNamespace;
    if (r.hostName !== undefined) out.hostName = r.hostName;
    if (r.virtualStatus !== undefined) out.virtualStatus = redact(r.virtualStatus);
    if (r.hostStatus !== undefined) out.hostStatus = redact(r.hostStatus);
    if (r.joinedBy !== undefined) out.joinedBy = r.joinedBy;
    return out;
  });
  const byKind: Record<string, { synced: number; virtualOnly: number; hostOnly: number }> = {};
  for (const [k, c] of Object.entries(model.summary.byKind)) {
    byKind[k] = { synced: c.synced, virtualOnly: c.virtualOnly, hostOnly: c.hostOnly };
  }
  const ref = model.vcluster;
  return {
    vcluster: {
      context: ref.context,
      namespace: ref.namespace,
      name: ref.name,
      ...(ref.parents ? { parents: ref.parents.map((p) => ({ namespace: p.namespace, name: p.name })) } : {}),
    },
    hostNamespace: model.hostNamespace,
    rows,
    summary: { synced: model.summary.synced, virtualOnly: model.summary.virtualOnly, hostOnly: model.summary.hostOnly, byKind },
    errors: model.errors.map((e) => ({ kind: e.kind, side: e.side, message: redact(e.message) })),
    fetchedAt: model.fetchedAt,
  };
}

/**
 * The last step before a message is posted to a webview (any panel's): its free-text `message` (an error, often
 * quoting a server's answer) through redact(). Models and details are redacted when they are loaded.
 */
export function redactMessage<T extends { readonly type: string }>(msg: T): T {
  return 'message' in msg && typeof msg.message === 'string' ? { ...msg, message: redact(msg.message) } : msg;
}
