// vcluster context names, exactly as the vcluster CLI builds and parses them (pkg/cli/find/find.go in v0.36.1:
// VClusterContextName and VClusterFromContext).

import type { ParsedVClusterContext } from '../shared/model';

const PREFIX = 'vcluster_';

/**
 * Splits `vcluster_<name>_<namespace>_<parent>`. vcluster names and namespaces are DNS labels (no `_`), so the
 * parent is everything after the third `_` and may itself contain `_` (a nested vcluster's context).
 * Returns undefined for names that are not vcluster contexts or have an empty part.
 */
export function parseVClusterContext(contextName: string): ParsedVClusterContext | undefined {
  if (!contextName.startsWith(PREFIX)) return undefined;
  const rest = contextName.slice(PREFIX.length);
  const first = rest.indexOf('_');
  if (first <= 0) return undefined;
  const second = rest.indexOf('_', first + 1);
  if (second <= first + 1) return undefined;
  const parentContext = rest.slice(second + 1);
  if (parentContext === '') return undefined;
  return { name: rest.slice(0, first), namespace: rest.slice(first + 1, second), parentContext };
}

/** The context name `vcluster connect` writes: `vcluster_<name>_<namespace>_<parentContext>`. */
export function vclusterContextName(name: string, namespace: string, parentContext: string): string {
  return `${PREFIX}${name}_${namespace}_${parentContext}`;
}
