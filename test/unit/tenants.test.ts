// Tenants, the parts that need no cluster: reading the API server's RBAC denials, RBAC's rule matching as the
// permission summary applies it, the namespaces searched, typed namespace lists, the menus' when-clauses with
// permission markers, and writing a context's namespace.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { describePermission, fromStatus, parseDenial, qualifiedResource } from '../../src/kube/errors';
import { KubeconfigError } from '../../src/kube/kubeconfig/errors';
import { KubeconfigWriter } from '../../src/kube/kubeconfig/writer';
import { namespacesToSearch } from '../../src/vcluster/discovery';
import { describeMissing, requirements, ruleAllows } from '../../src/vcluster/permissions';
import { parseNamespaceList } from '../../src/vcluster/translate';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { menus: Record<string, { command: string; when: string; group?: string }[]> };
};

describe('tenants: RBAC denials', () => {
  it("reads the refused request and the user from kube-apiserver's 403 message, namespaced and cluster-wide", () => {
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      message:
        'statefulsets.apps "dev" is forbidden: User "system:serviceaccount:team-a:alice" cannot delete resource "statefulsets" in API group "apps" in the namespace "team-a"',
      details: { name: 'dev', group: 'apps', kind: 'statefulsets' },
    });
    const err = fromStatus(403, body, 'DELETE /apis/apps/v1/namespaces/team-a/statefulsets/dev');
    assert.equal(err.kind, 'forbidden');
    assert.deepEqual(err.denial, { user: 'system:serviceaccount:team-a:alice', verb: 'delete', resource: 'statefulsets', group: 'apps', namespace: 'team-a' });
    assert.equal(describePermission(err.denial!), 'delete statefulsets.apps in namespace team-a');

    assert.deepEqual(parseDenial('namespaces is forbidden: User "bob" cannot create resource "namespaces" in API group "" at the cluster scope'), {
      user: 'bob',
      verb: 'create',
      resource: 'namespaces',
      group: '',
    });
    assert.deepEqual(parseDenial('pods "x-0" is forbidden: User "bob" cannot create resource "pods/portforward" in API group "" in the namespace "ns1"'), {
      user: 'bob',
      verb: 'create',
      resource: 'pods/portforward',
      group: '',
      namespace: 'ns1',
    });
    // Go's %q escapes quotes in names.
    assert.equal(parseDenial('x is forbidden: User "we\\"ird" cannot list resource "secrets" in API group "" in the namespace "n"')?.user, 'we"ird');
    assert.equal(parseDenial('Unauthorized'), undefined);
    assert.equal(fromStatus(403, '{"message":"forbidden by a webhook"}', 'GET /x').denial, undefined);
    assert.equal(fromStatus(404, body, 'GET /x').denial, undefined);
  });

  it('names resources as kubectl auth can-i does', () => {
    assert.equal(qualifiedResource('statefulsets', 'apps'), 'statefulsets.apps');
    assert.equal(qualifiedResource('secrets', ''), 'secrets');
    assert.equal(qualifiedResource('pods/portforward', ''), 'pods/portforward');
    assert.equal(describePermission({ verb: 'create', group: '', resource: 'namespaces' }), 'create namespaces (cluster-wide)');
  });
});

describe('tenants: RBAC rule matching (SelfSubjectRulesReview rules)', () => {
  const p = (verb: string, group: string, resource: string, name?: string) => ({ verb, group, resource, namespace: 'ns', ...(name ? { name } : {}) });
  it('matches verbs, groups and resources exactly or by *', () => {
    assert.equal(ruleAllows({ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['statefulsets'] }, p('list', 'apps', 'statefulsets')), true);
    assert.equal(ruleAllows({ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['statefulsets'] }, p('delete', 'apps', 'statefulsets')), false);
    assert.equal(
      ruleAllows({ verbs: ['list'], apiGroups: [''], resources: ['statefulsets'] }, p('list', 'apps', 'statefulsets')),
      false,
      'the core group is not apps',
    );
    assert.equal(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, p('deletecollection', 'discovery.k8s.io', 'endpointslices')), true);
  });
  it('matches subresources only by name or by */subresource, never through the parent resource', () => {
    assert.equal(ruleAllows({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }, p('create', '', 'pods/portforward')), false);
    assert.equal(ruleAllows({ verbs: ['create'], apiGroups: [''], resources: ['pods/portforward'] }, p('create', '', 'pods/portforward')), true);
    assert.equal(ruleAllows({ verbs: ['create'], apiGroups: [''], resources: ['*/portforward'] }, p('create', '', 'pods/portforward')), true);
    assert.equal(ruleAllows({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }, p('create', '', 'pods/portforward')), false);
  });
  it('a rule that names objects allows only requests for those names', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['vc-dev'] };
    assert.equal(ruleAllows(rule, p('get', '', 'secrets', 'vc-dev')), true);
    assert.equal(ruleAllows(rule, p('get', '', 'secrets', 'vc-other')), false);
    assert.equal(ruleAllows(rule, p('get', '', 'secrets')), false, 'a request without a name is not covered');
  });
});

describe('tenants: what each action needs', () => {
  it("pause and resume of a Deployment-based vcluster also scale its etcd StatefulSet; delete removes the chart's objects and the PVC", () => {
    const names = (a: Parameters<typeof requirements>[0], kind?: 'StatefulSet' | 'Deployment') =>
      requirements(a, 'ns', { kind }).map((x) => `${x.verb} ${qualifiedResource(x.resource, x.group)}`);
    assert.deepEqual(names('resume'), ['list statefulsets.apps', 'patch statefulsets.apps']);
    assert.deepEqual(names('resume', 'Deployment'), ['list deployments.apps', 'patch deployments.apps', 'list statefulsets.apps', 'patch statefulsets.apps']);
    assert.ok(names('pause').includes('deletecollection pods'));
    for (const x of [
      'delete statefulsets.apps',
      'delete secrets',
      'update secrets',
      'delete services',
      'delete serviceaccounts',
      'delete roles.rbac.authorization.k8s.io',
      'delete rolebindings.rbac.authorization.k8s.io',
      'delete persistentvolumeclaims',
    ]) {
      assert.ok(names('delete').includes(x), x);
    }
    // Creating the chart's Role needs its rules (RBAC's escalation check): e.g. patch pods/status.
    assert.ok(names('create').includes('patch pods/status'));
    assert.ok(names('create').includes('create statefulsets.apps'));
    assert.deepEqual(requirements('connect', 'ns', { name: 'dev' }), [{ verb: 'get', group: '', resource: 'secrets', namespace: 'ns', name: 'vc-dev' }]);
    // An upgrade patches every object and needs the Role's rules; it makes a new release record.
    assert.ok(
      names('upgrade').includes('patch statefulsets.apps') && names('upgrade').includes('create secrets') && names('upgrade').includes('patch pods/status'),
    );
    for (const a of ['list', 'create', 'delete', 'pause', 'resume', 'connect', 'upgrade'] as const) {
      const keys = requirements(a, 'ns').map((x) => JSON.stringify(x));
      assert.equal(new Set(keys).size, keys.length, `${a}: no duplicates`);
      assert.ok(requirements(a, 'ns').every((x) => x.namespace === 'ns'));
    }
  });

  it('describes what is missing in one line', () => {
    const m = requirements('delete', 'team-a');
    assert.equal(describeMissing(m.slice(0, 2)), 'list statefulsets.apps, list deployments.apps in namespace team-a');
    assert.match(describeMissing(m, 2), /^list statefulsets\.apps, list deployments\.apps and \d+ more in namespace team-a$/);
    assert.equal(
      describeMissing([{ verb: 'create', group: '', resource: 'namespaces' }, ...m.slice(0, 1)]),
      'create namespaces (cluster-wide), list statefulsets.apps in namespace team-a',
    );
    assert.equal(describeMissing([]), '');
  });
});

describe('tenants: namespaces to search', () => {
  it('the context\'s namespace, or "default" as the CLI falls back to, then the ones set, each once', () => {
    assert.deepEqual(namespacesToSearch('team-a', ['team-b', 'team-a']), { namespaces: ['team-a', 'team-b'] });
    assert.deepEqual(namespacesToSearch(undefined, ['team-b']), { namespaces: ['default', 'team-b'], implicit: 'default' });
    assert.deepEqual(namespacesToSearch('', []), { namespaces: ['default'], implicit: 'default' });
    assert.deepEqual(namespacesToSearch(undefined, ['default']), { namespaces: ['default'] }, 'asked for explicitly: not implicit');
  });

  it('typed lists: commas or spaces, each a namespace name, duplicates once; the first bad name is named', () => {
    assert.deepEqual(parseNamespaceList(' team-a, team-b  team-a,,'), { names: ['team-a', 'team-b'] });
    assert.deepEqual(parseNamespaceList(''), { names: [] });
    assert.match(parseNamespaceList('team-a, Team_B').problem ?? '', /"Team_B" is not a valid DNS-1123 label/);
    assert.match(parseNamespaceList('x'.repeat(64)).problem ?? '', /longer than 63/);
  });
});

describe('tenants: menus follow the permission markers of the tree items', () => {
  const menus = pkg.contributes.menus['view/item/context']!;
  /**
   * Whether a menu's when-clause shows it for a contextValue (our clauses: `view == …`, optionally one of our context
   * keys, and one viewItem test or a list); `keys`: the context keys that are true.
   */
  function shows(when: string, viewItem: string, keys: ReadonlySet<string> = new Set()): boolean {
    let clause = when.replace(/^view == vcluster\.explorer && /, '');
    const key = /^(vcluster\.[A-Za-z]+) && /.exec(clause);
    if (key) {
      if (!keys.has(key[1]!)) return false;
      clause = clause.slice(key[0].length);
    }
    const regex = /^viewItem =~ \/(.*)\/$/.exec(clause);
    if (regex) return new RegExp(regex[1]!).test(viewItem);
    const alternatives = clause.replace(/^\((.*)\)$/, '$1').split(' || ');
    return alternatives.some((a) => {
      const eq = /^viewItem == (\S+)$/.exec(a);
      if (eq) return eq[1] === viewItem;
      const re = /^viewItem =~ \/(.*)\/$/.exec(a);
      if (re) return new RegExp(re[1]!).test(viewItem);
      throw new Error(`a when-clause this test does not read: ${a}`);
    });
  }
  const visible = (viewItem: string, keys?: ReadonlySet<string>) =>
    [...new Set(menus.filter((m) => shows(m.when, viewItem, keys)).map((m) => m.command.replace(/^vcluster\./, '')))].sort();

  it('a vcluster without markers keeps every menu; each marker hides exactly its action', () => {
    const inspect = ['compareWithDeployed', 'describe', 'showConfig', 'showMapping'];
    const sorted = (...xs: string[]) => [...xs, ...inspect].sort();
    // A vcluster whose API server runs also offers its control-plane log and a terminal in it.
    const inside = ['logs', 'openTerminal'];
    assert.deepEqual(visible('vcluster.running'), sorted('connect', 'delete', 'pause', 'upgrade', ...inside));
    assert.deepEqual(visible('vcluster.running no-delete no-pause'), sorted('connect', 'upgrade', ...inside));
    assert.deepEqual(visible('vcluster.running no-connect no-upgrade'), sorted('delete', 'pause', ...inside));
    assert.deepEqual(visible('vcluster.paused'), sorted('connect', 'delete', 'resume', 'upgrade'));
    assert.deepEqual(visible('vcluster.paused no-resume no-delete'), sorted('connect', 'upgrade'));
    assert.deepEqual(visible('vcluster.connected no-pause'), sorted('delete', 'disconnect', 'switchContext', 'upgrade', ...inside));
    assert.deepEqual(visible('vcluster.connectedCurrent'), sorted('delete', 'disconnect', 'pause', 'upgrade', ...inside));
    assert.deepEqual(visible('vcluster.pending'), sorted('connect', 'delete', 'pause', 'upgrade', 'logs'));
  });

  it('Show in Kubernetes Extension: only while that extension is installed, on a running vcluster its user may connect to', () => {
    const k8s = new Set(['vcluster.kubernetesExtensionInstalled']);
    for (const v of ['vcluster.running', 'vcluster.connected', 'vcluster.connectedCurrent no-pause']) {
      assert.ok(visible(v, k8s).includes('revealInKubernetes'), v);
      assert.ok(!visible(v).includes('revealInKubernetes'), `${v} without the extension`);
    }
    for (const v of ['vcluster.running no-connect', 'vcluster.paused', 'vcluster.pending', 'vcluster.sleeping'])
      assert.ok(!visible(v, k8s).includes('revealInKubernetes'), v);
  });

  it('namespaces: create only without no-create; Forbidden and search nodes offer the two ways out', () => {
    assert.deepEqual(visible('namespace'), ['create', 'refresh']);
    assert.deepEqual(visible('namespace no-create'), ['refresh']);
    assert.deepEqual(visible('forbidden'), ['refresh', 'setContextNamespace', 'setSearchNamespaces']);
    assert.deepEqual(visible('searchInfo'), ['setContextNamespace', 'setSearchNamespaces']);
    assert.ok(visible('context').includes('setSearchNamespaces') && visible('context').includes('setContextNamespace'));
  });

  it('both commands are declared with a codicon and offered in the palette', () => {
    const manifest = pkg as unknown as {
      contributes: { commands: { command: string; icon?: string }[]; menus: { commandPalette: { command: string; when: string }[] } };
    };
    for (const id of ['vcluster.setSearchNamespaces', 'vcluster.setContextNamespace']) {
      const c = manifest.contributes.commands.find((x) => x.command === id);
      assert.match(c?.icon ?? '', /^\$\([a-z-]+\)$/, id);
      assert.ok(!manifest.contributes.menus.commandPalette.some((m) => m.command === id && m.when === 'false'), `${id} is not hidden from the palette`);
    }
  });
});

describe("tenants: the context's namespace in the kubeconfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-ctxns-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is written into the file that defines the context, leaving everything else as it was; null removes it', async () => {
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    fs.writeFileSync(
      first,
      'apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://a.example"}\nusers:\n- name: u\n  user: {token: t}\n',
      { mode: 0o600 },
    );
    const secondText =
      "# the tenant's file\napiVersion: v1\nkind: Config\ncontexts:\n- name: tenant # keep this comment\n  context:\n    cluster: c\n    user: u\n    extension-field: kept\n";
    fs.writeFileSync(second, secondText, { mode: 0o640 });
    const firstBefore = fs.readFileSync(first, 'utf8');
    const writer = new KubeconfigWriter({ files: [first, second], lockLingerMs: 0 });
    const r = await writer.setContextNamespace('tenant', 'team-a');
    assert.deepEqual(r.files, [second]);
    assert.equal(fs.readFileSync(first, 'utf8'), firstBefore, 'the other file is untouched');
    const text = fs.readFileSync(second, 'utf8');
    assert.match(text, /# the tenant's file/);
    assert.match(text, /# keep this comment/);
    assert.equal(fs.statSync(second).mode & 0o777, 0o640);
    const ctx = (YAML.parse(text) as { contexts: { context: Record<string, string> }[] }).contexts[0]!.context;
    assert.deepEqual(ctx, { cluster: 'c', user: 'u', 'extension-field': 'kept', namespace: 'team-a' });
    assert.equal((await writer.setContextNamespace('tenant', 'team-a')).changed, false, 'nothing to write');
    await writer.setContextNamespace('tenant', null);
    assert.deepEqual((YAML.parse(fs.readFileSync(second, 'utf8')) as { contexts: { context: Record<string, string> }[] }).contexts[0]!.context, {
      cluster: 'c',
      user: 'u',
      'extension-field': 'kept',
    });
  });

  it('refuses an unknown context and a namespace with a line break, writing nothing', async () => {
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n', { mode: 0o600 });
    const before = fs.readFileSync(file, 'utf8');
    const writer = new KubeconfigWriter({ files: [file], lockLingerMs: 0 });
    await assert.rejects(writer.setContextNamespace('missing', 'x'), (e: unknown) => e instanceof KubeconfigError && e.code === 'unknownContext');
    await assert.rejects(writer.setContextNamespace('a', 'x\ny'), (e: unknown) => e instanceof KubeconfigError && e.code === 'invalidArgument');
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['config'], 'no lock or temp file left');
  });
});
