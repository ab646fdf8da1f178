import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeClient } from '../../src/kube/client';
import { ExecCredentialProvider } from '../../src/kube/execCredential';
import { KubeError } from '../../src/kube/errors';
import { parseVirtualKubeconfig } from '../../src/vcluster/access';
import { createArgs, describeExit, findExecutable, lastErrorLine, runCli, runProgram } from '../../src/vcluster/cli';
import { CancelledError, UserFacingError } from '../../src/shared/errors';
import type { Secret } from '../../src/kube/types';
import { waitFor } from '../harness/cluster/rest';

// Bad input that reaches the domain layers: each case must end in one clear message that names the problem.
// (Kubeconfig files have their own table in kubeconfig-*.test.ts; names in translate-status.test.ts; webview messages
// in protocol.test.ts.)

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vce-bad-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** Running (a zombie waiting for a reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `pid` has ended; the kill may take a moment to land on a busy machine (fails after 5 s). */
function ended(pid: number, what: string): Promise<true> {
  return waitFor(what, async () => !alive(pid), 5000, 50);
}

const SECRET_TOKEN = 'sha256~super-secret-token-value-0123456789';
/** What every exec section needs for kubectl: an apiVersion and (for v1) an interactiveMode. */
const V1 = { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never' } as const;

describe('exec credential plugins', () => {
  it('a missing plugin is named, with its install hint', async () => {
    const p = new ExecCredentialProvider({ ...V1, command: path.join(tmp, 'no-such-plugin'), installHint: 'Install it with your package manager.' }, 'alice');
    await assert.rejects(p.get(), (e: KubeError) => e.kind === 'auth-plugin' && /no-such-plugin" for user "alice" was not found\. Install it/.test(e.message));
  });
  it('a failing plugin reports its exit code and first stderr line', async () => {
    const p = new ExecCredentialProvider({ ...V1, command: script('fails', 'echo "token expired, run login" >&2; exit 3') }, 'bob');
    await assert.rejects(p.get(), /failed \(exit code 3\): token expired, run login/);
  });
  it('a hanging plugin times out instead of blocking, and is killed', async () => {
    const pidFile = path.join(tmp, 'hang.pid');
    const p = new ExecCredentialProvider({ ...V1, command: script('hangs', `echo $$ > ${pidFile}; exec sleep 30`) }, 'carol', 500);
    const t0 = Date.now();
    await assert.rejects(p.get(), /did not answer within 1 s|did not answer within 0 s/);
    assert.ok(Date.now() - t0 < 3000);
    await ended(Number(fs.readFileSync(pidFile, 'utf8')), 'the plugin process to be gone');
  });
  it('garbage output is rejected without echoing it', async () => {
    const p = new ExecCredentialProvider({ ...V1, command: script('garbage', `echo "not json ${SECRET_TOKEN}"`) }, 'dave');
    await assert.rejects(p.get(), (e: Error) => /not an ExecCredential/.test(e.message) && !e.message.includes(SECRET_TOKEN));
  });
  it('an ExecCredential without token or certificate is rejected', async () => {
    const p = new ExecCredentialProvider(
      { ...V1, command: script('empty', `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}'`) },
      'erin',
    );
    await assert.rejects(p.get(), /returned no token or certificate/);
  });
  it('a good plugin gets KUBERNETES_EXEC_INFO and its env, and the token is cached until expiry', async () => {
    const counter = path.join(tmp, 'count');
    const cmd = script(
      'good',
      `echo x >> ${counter}; [ -n "$KUBERNETES_EXEC_INFO" ] || exit 9; [ "$EXTRA" = "yes" ] || exit 8; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${SECRET_TOKEN}","expirationTimestamp":"2099-01-01T00:00:00Z"}}'`,
    );
    const p = new ExecCredentialProvider({ ...V1, command: cmd, env: [{ name: 'EXTRA', value: 'yes' }] }, 'frank');
    assert.equal((await p.get()).token, SECRET_TOKEN);
    assert.equal((await p.get()).token, SECRET_TOKEN);
    assert.equal(fs.readFileSync(counter, 'utf8').trim().split('\n').length, 1);
  });
  it('an exec section without a command is a config error naming user and context', () => {
    assert.throws(
      () =>
        new KubeClient({
          contextName: 'ctx',
          clusterName: 'c',
          cluster: { server: 'https://127.0.0.1:1' },
          userName: 'u',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1' } },
        }),
      /Context "ctx" cannot be used: command must be specified for user "u" to use exec authentication plugin/,
    );
  });
  it('a cluster without a valid server URL is a config error', () => {
    assert.throws(
      () => new KubeClient({ contextName: 'ctx', clusterName: 'c', cluster: { server: 'ftp://x' }, userName: 'u', user: {} }),
      /Cluster "c" of context "ctx" has no valid server URL/,
    );
    assert.throws(() => new KubeClient({ contextName: 'ctx', clusterName: 'c', cluster: {}, userName: 'u', user: {} }), /no valid server URL/);
  });
  it('an unreachable server is "unreachable", not a stack trace', async () => {
    const c = new KubeClient(
      {
        contextName: 'ctx',
        clusterName: 'c',
        cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true },
        userName: 'u',
        user: { token: 'x' },
      },
      { timeoutMs: 2000 },
    );
    await assert.rejects(c.get('/version'), (e: KubeError) => e.kind === 'unreachable' && /Cannot reach https:\/\/127\.0\.0\.1:1/.test(e.message));
    c.dispose();
  });
});

function secret(data?: Record<string, string>): Secret {
  return { metadata: { name: 'vc-x', namespace: 'ns' }, ...(data ? { data } : {}) };
}
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the vc-NAME kubeconfig secret', () => {
  it('without a config key', () => assert.throws(() => parseVirtualKubeconfig(secret({ token: b64('t') }), 'ns', 'x'), /secret ns\/vc-x has no "config" key/));
  it('without data at all', () => assert.throws(() => parseVirtualKubeconfig(secret(), 'ns', 'x'), /has no "config" key/));
  it('with garbage in it', () => assert.throws(() => parseVirtualKubeconfig(secret({ config: b64('{{{: not yaml') }), 'ns', 'x'), /not a valid kubeconfig/));
  it('with a kubeconfig without a cluster server', () =>
    assert.throws(
      () => parseVirtualKubeconfig(secret({ config: b64('clusters: [{name: a, cluster: {}}]\nusers: [{name: a, user: {}}]') }), 'ns', 'x'),
      /no cluster with a server/,
    ));
  it('with a kubeconfig without a user', () =>
    assert.throws(
      () => parseVirtualKubeconfig(secret({ config: b64('clusters: [{name: a, cluster: {server: "https://localhost:8443"}}]') }), 'ns', 'x'),
      /has no user/,
    ));
  it("a good one yields cluster, user and the secret's server", () => {
    const kc = parseVirtualKubeconfig(
      secret({ config: b64('clusters: [{name: a, cluster: {server: "https://localhost:8443"}}]\nusers: [{name: a, user: {token: t}}]') }),
      'ns',
      'x',
    );
    assert.equal(kc.secretServer, 'https://localhost:8443');
    assert.deepEqual(kc.user, { token: 't' });
  });
});

describe('the vcluster CLI', () => {
  it('fails quoting an RBAC refusal: one message names the user and the permission, then what was kept', async () => {
    const cli = script(
      'refused-cli',
      'echo "info deploying"; echo \'fatal error: secrets is forbidden: User "bob" cannot create resource "secrets" in API group "" in the namespace "team-a"\' >&2; exit 1',
    );
    await assert.rejects(
      runCli('vcluster create', cli, ['create', 'x'], { failureSuffix: ' Nothing else changed.' }),
      (e: unknown) =>
        e instanceof UserFacingError &&
        e.message === 'vcluster create failed (exit code 1): the API server refused user "bob": create secrets in namespace team-a. Nothing else changed.',
    );
  });
  it('fails without a refusal: the exit code and the last error line, colours removed', async () => {
    const cli = script('plain-failing-cli', 'printf "\\033[31mfatal\\033[0m namespace is being terminated\\n"; echo "done"; exit 3');
    await assert.rejects(
      runCli('helm uninstall', cli, ['uninstall', 'x']),
      (e: unknown) => e instanceof UserFacingError && e.message === 'helm uninstall failed (exit code 3): fatal namespace is being terminated.',
    );
  });
  it('a run reports its command line to the log, every output chunk, and error lines as progress', async () => {
    const cli = script('chatty-cli', 'echo "info step one"; echo "error: retrying the chart download" >&2; echo "info done"');
    const log: string[] = [];
    const output: string[] = [];
    const progress: string[] = [];
    const r = await runCli('vcluster create', cli, ['create', 'a b'], {
      log: (l) => log.push(l),
      output: (label, text) => output.push(`${label}|${text}`),
      progress: (l) => progress.push(l),
    });
    assert.equal(r.code, 0);
    assert.deepEqual(log, [`Running ${cli} create a b`]);
    assert.ok(output.every((o) => o.startsWith('vcluster create|')) && output.join('').includes('info done'), output.join('\n'));
    assert.ok(progress.includes('error: retrying the chart download'), progress.join('\n'));
  });
  it('is not executable', async () => {
    const file = path.join(tmp, 'not-executable');
    fs.writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    assert.equal(findExecutable('vcluster', file), undefined);
    await assert.rejects(runProgram(file, ['list']), /is not executable|could not start|was not found/i);
  });
  it('does not exist', async () => {
    assert.equal(findExecutable('vcluster', path.join(tmp, 'missing')), undefined);
    assert.equal(findExecutable('definitely-not-a-vcluster-binary', undefined, { PATH: tmp }), undefined);
    await assert.rejects(runProgram(path.join(tmp, 'missing'), ['list']), /was not found/);
  });
  it('exits non-zero: the exit code and the last error line come back', async () => {
    const cli = script('failing-cli', 'echo "info creating..."; echo "fatal error: namespace is being terminated" >&2; exit 1');
    const r = await runProgram(cli, ['create', 'x']);
    assert.equal(r.code, 1);
    assert.equal(lastErrorLine(r.stdout + r.stderr), 'fatal error: namespace is being terminated');
  });
  it('is killed by someone else in the middle: the signal is reported, not a bogus exit code', async () => {
    const cli = script('killed-cli', 'echo "info deploying chart..."; kill -9 $$');
    const r = await runProgram(cli, ['create', 'x']);
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(describeExit(r), 'killed by SIGKILL');
    assert.equal(r.code, 137);
  });

  it('is stopped with its children when cancelled', async () => {
    const pidFile = path.join(tmp, 'child.pid');
    const cli = script('slow-cli', `sleep 30 & echo $! > ${pidFile}; wait`);
    const ac = new AbortController();
    const run = runProgram(cli, ['create', 'x'], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await assert.rejects(run, CancelledError);
    await ended(Number(fs.readFileSync(pidFile, 'utf8')), 'the child of the CLI to be gone too');
  });
  it('gets arguments as an array: a name with shell characters stays one argument', async () => {
    const out = path.join(tmp, 'args');
    const cli = script('echo-args', `for a in "$@"; do echo "$a" >> ${out}; done`);
    await runProgram(cli, createArgs({ name: 'x; rm -rf /', namespace: '$(whoami)', context: 'ctx', extraArgs: ['--set', 'a=b c'] }));
    const args = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 3), ['create', 'x; rm -rf /', '--namespace']);
    assert.ok(args.includes('$(whoami)') && args.includes('a=b c'));
  });
});
