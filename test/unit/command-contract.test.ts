// The commands' argument contract (README.md, Commands) as src/commands/contract.ts and contractInside.ts parse it, in
// plain Node: a tree node is known by its TREE_NODE mark (the nodes themselves need vscode, so they are stood in for
// here by objects that carry the mark), only a plain object's fields are options, and a wrong field gets one clear
// message. The handlers that use these parsers run in a real extension host in test/integration/suites/bad-input.ts.
import assert from 'node:assert/strict';
import {
  contextFromArg,
  parseConnectArgs,
  parseCreateArgs,
  parseDeleteArgs,
  parseRefreshArgs,
  parseSearchNamespacesArgs,
  parseSetContextNamespaceArgs,
  parseSwitchContextArgs,
  parseUpgradeArgs,
  parseVClusterArg,
  refFromArg,
} from '../../src/commands/contract';
import { forwardIdOf, parseExecArgs, parseForwardArg, parseLogsArgs, parsePortForwardArgs } from '../../src/commands/contractInside';
import { UserFacingError } from '../../src/shared/errors';
import type { VClusterRef } from '../../src/shared/model';
import { TREE_NODE } from '../../src/shared/treeNode';
import { DEFAULT_SHELL } from '../../src/vcluster/insideChoices';
import { contextNameFor } from '../../src/vcluster/refs';

const ref: VClusterRef = { context: 'host', namespace: 'team-a', name: 'alpha' };
const node = <T extends object>(fields: T) => ({ ...fields, [TREE_NODE]: true as const });
const userError = (re: RegExp) => (err: unknown) => err instanceof UserFacingError && re.test(err.message);

describe('the commands’ argument contract', function () {
  it('a vcluster: from a vcluster node or { context, namespace, name, parents? }; bad parents are named', function () {
    assert.deepEqual(parseVClusterArg(node({ type: 'vcluster', ref })), { ref });
    assert.deepEqual(parseVClusterArg({ ...ref, parents: [] }), { ref });
    const nested = { ...ref, parents: [{ namespace: 'vc-outer', name: 'outer' }] };
    assert.deepEqual(parseVClusterArg(nested), { ref: nested });
    assert.throws(() => refFromArg({ ...ref, parents: [{ name: 'x' }] }), userError(/"parents" must be a list of \{ namespace, name \}/));
    // No vcluster named: the context to pick in, from a context node or { context }.
    assert.deepEqual(parseVClusterArg(node({ type: 'context', context: 'host' })), { context: 'host' });
    assert.deepEqual(parseVClusterArg({ context: 'host' }), { context: 'host' });
    assert.deepEqual(parseVClusterArg(undefined), { context: undefined });
  });

  it('a plain object is never taken for a node, and a node’s own fields are no options', function () {
    // Without the mark, { type: 'vcluster', ref } is a plain object that names no vcluster.
    assert.equal(refFromArg({ type: 'vcluster', ref }), undefined);
    assert.equal(contextFromArg({ type: 'context', context: 'host', namespace: 'x' }), undefined);
    // A node with a field that looks like an option: not an option.
    assert.equal(parseDeleteArgs(node({ type: 'vcluster', ref, force: true })).force, false);
    assert.equal(parseDeleteArgs({ ...ref, force: true }).force, true);
    assert.equal(parseDeleteArgs({ ...ref, force: 'yes' }).force, false);
  });

  it('create: from a namespace node the namespace is given and the name is asked for', function () {
    const fromNode = parseCreateArgs(node({ type: 'namespace', context: 'host', name: 'team-a' }));
    assert.deepEqual(fromNode, {
      context: 'host',
      namespace: 'team-a',
      name: undefined,
      chartVersion: undefined,
      valuesFile: undefined,
      connect: undefined,
      interactive: true,
    });
    const plain = parseCreateArgs({ context: 'host', name: 'web', namespace: 'apps', chartVersion: '0.36.1', connect: false });
    assert.equal(plain.interactive, false);
    assert.deepEqual([plain.context, plain.namespace, plain.name, plain.chartVersion, plain.connect], ['host', 'apps', 'web', '0.36.1', false]);
  });

  it('connect and switchContext: scope is "global" or "workspace"; a vcluster switches to its own context', function () {
    assert.deepEqual(parseConnectArgs({ ...ref, scope: 'workspace', resume: true }), { ref, scope: 'workspace', resume: true });
    assert.throws(() => parseConnectArgs({ ...ref, scope: 'everywhere' }), userError(/^"scope" must be "global" or "workspace"$/));
    assert.deepEqual(parseSwitchContextArgs(node({ type: 'vcluster', ref })), { context: contextNameFor(ref), scope: undefined });
    assert.deepEqual(parseSwitchContextArgs({ context: 'host', scope: 'global' }), { context: 'host', scope: 'global' });
    assert.throws(() => parseSwitchContextArgs({ context: 'host', scope: 1 }), userError(/"scope" must be/));
  });

  it('namespaces of a context: checked names, "" removes, a list without duplicates', function () {
    assert.deepEqual(parseSetContextNamespaceArgs({ context: 'host', namespace: '' }), { context: 'host', namespace: '' });
    assert.throws(() => parseSetContextNamespaceArgs({ context: 'host', namespace: 7 }), userError(/^"namespace" must be a string$/));
    assert.throws(() => parseSetContextNamespaceArgs({ context: 'host', namespace: 'Bad_Name' }), UserFacingError);
    assert.deepEqual(parseSearchNamespacesArgs({ context: 'host', namespaces: ['a', 'b', 'a'] }), { context: 'host', namespaces: ['a', 'b'] });
    assert.deepEqual(parseSearchNamespacesArgs({ context: 'host', namespaces: [] }), { context: 'host', namespaces: [] });
    assert.throws(() => parseSearchNamespacesArgs({ context: 'host', namespaces: 'a' }), userError(/"namespaces" must be a list of namespace names/));
    assert.throws(() => parseSearchNamespacesArgs({ context: 'host', namespaces: ['-x-'] }), UserFacingError);
  });

  it('upgrade: valuesFile is a path and chartVersion a string', function () {
    assert.deepEqual(parseUpgradeArgs({ ...ref, chartVersion: '0.36.1', force: true }), {
      ref,
      valuesFile: undefined,
      chartVersion: '0.36.1',
      force: true,
    });
    assert.throws(() => parseUpgradeArgs({ ...ref, valuesFile: 3 }), userError(/^"valuesFile" must be a path$/));
    assert.throws(() => parseUpgradeArgs({ ...ref, chartVersion: 36 }), userError(/^"36" is not a chart version \(expected e\.g\. 0\.36\.1\)$/));
  });

  it('refresh: a message node retries what it names, a vcluster its subtree, a context its own', function () {
    const retry = { context: 'host' };
    assert.deepEqual(parseRefreshArgs(node({ type: 'message', context: 'host', retry })), { retry: true, target: retry });
    assert.deepEqual(parseRefreshArgs(node({ type: 'message', context: 'host' })), { retry: true, target: { context: 'host' } });
    assert.deepEqual(parseRefreshArgs(ref), { retry: false, target: { ref } });
    assert.deepEqual(parseRefreshArgs({ context: 'host' }), { retry: false, target: { context: 'host' } });
    assert.deepEqual(parseRefreshArgs(undefined), { retry: false, target: undefined });
  });

  it('inside a vcluster: an object node or { …, object }; logs of a vcluster are its control plane’s', function () {
    const pod = node({ type: 'resource', ref, kind: 'Pod', namespace: 'default', name: 'web-0' });
    assert.deepEqual(parseLogsArgs(pod), { object: { ref, kind: 'Pod', namespace: 'default', name: 'web-0' }, vcluster: { ref } });
    assert.deepEqual(parseLogsArgs({ ...ref, tailLines: 10, container: 'syncer' }), {
      vcluster: { ref },
      controlPlane: ref,
      choice: { follow: true, tailLines: 10 },
      container: 'syncer',
    });
    const withObject = parseLogsArgs({ ...ref, object: { kind: 'pod', namespace: 'default', name: 'web-0' } });
    assert.equal(withObject.controlPlane, undefined);
    assert.equal(withObject.object?.kind, 'Pod');
    assert.throws(() => parseLogsArgs({ ...ref, follow: 'yes' }), userError(/"follow" must be true or false/));
    assert.throws(() => parsePortForwardArgs({ ...ref, port: -1 }), userError(/"port" must be a whole number/));
    assert.deepEqual(parsePortForwardArgs({ ...ref, port: 80, localPort: 0 }), { vcluster: { ref }, port: 80, localPort: 0 });
  });

  it('exec: command, else shell, else the default shell; from the tree or the palette the shell is asked for', function () {
    assert.deepEqual(parseExecArgs({ ...ref, command: ['ls', '-l'] }).command, ['ls', '-l']);
    assert.equal(parseExecArgs({ ...ref, command: ['ls'] }).isShell, false);
    assert.deepEqual(parseExecArgs({ ...ref, shell: ' /bin/zsh ' }).command, ['/bin/zsh']);
    assert.throws(() => parseExecArgs({ ...ref, shell: 'bash -c x' }), userError(/^"shell": /));
    assert.throws(() => parseExecArgs({ ...ref, command: [] }), userError(/"command" must be a non-empty list of strings/));
    assert.deepEqual(parseExecArgs(ref).command, DEFAULT_SHELL);
    assert.equal(parseExecArgs(undefined).command, undefined);
    assert.equal(parseExecArgs(node({ type: 'resource', ref, kind: 'Pod', namespace: 'default', name: 'web-0' })).command, undefined);
    assert.equal(parseExecArgs(node({ type: 'vcluster', ref })).command, DEFAULT_SHELL);
  });

  it('port-forwards: a forward node or { id }; nothing only where the command asks', function () {
    assert.deepEqual(parseForwardArg(undefined), {});
    assert.deepEqual(parseForwardArg(node({ type: 'forward', forwardId: 'f1' })), { id: 'f1' });
    assert.deepEqual(parseForwardArg({ id: 'f2' }), { id: 'f2' });
    assert.throws(() => parseForwardArg({ id: 2 }), userError(/^Which port-forward\? Give \{ id \}/));
    assert.throws(() => parseForwardArg(node({ type: 'vcluster', ref, id: 'f3' })), userError(/^Which port-forward\?/));
    assert.throws(() => forwardIdOf(undefined), userError(/^Which port-forward\?/));
  });
});
