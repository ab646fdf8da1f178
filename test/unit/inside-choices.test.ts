// The rules of the commands that work inside a vcluster (src/vcluster/insideChoices.ts; their arguments in
// src/commands/contractInside.ts): object arguments, the kind a command takes, the container chosen without asking, log
// and terminal options, port numbers. The commands' behaviour in a real extension host against a real vcluster is
// test/integration/real-node-inside.test.ts.
import assert from 'node:assert/strict';
import { KubeError } from '../../src/kube/errors';
import type { Pod } from '../../src/kube/types';
import { UserFacingError } from '../../src/shared/errors';
import type { VClusterRef } from '../../src/shared/model';
import { execCommand, logChoiceFrom, parseObjectTarget } from '../../src/commands/contractInside';
import { DEFAULT_SHELL, execEndMessage, knownContainer, logEndNote, portProblem, requireKind, requireRunning } from '../../src/vcluster/insideChoices';

const ref: VClusterRef = { context: 'host', namespace: 'team-a', name: 'alpha' };
const userError = (re: RegExp) => (err: unknown) => err instanceof UserFacingError && re.test(err.message);

describe('inside a vcluster: what the commands accept and choose', function () {
  it('an object argument: kind by any case, container kept, every wrong field named', function () {
    assert.deepEqual(parseObjectTarget(ref, { kind: 'pod', namespace: 'default', name: 'web-0', container: 'app' }), {
      ref,
      kind: 'Pod',
      namespace: 'default',
      name: 'web-0',
      container: 'app',
    });
    assert.throws(() => parseObjectTarget(undefined, { kind: 'Pod', namespace: 'default', name: 'x' }), userError(/vcluster is missing/));
    assert.throws(() => parseObjectTarget(ref, 'web-0'), userError(/"object" must be/));
    assert.throws(() => parseObjectTarget(ref, { kind: 'Secret', namespace: 'default', name: 'x' }), userError(/"object.kind" must be one of Pod, /));
    assert.throws(() => parseObjectTarget(ref, { kind: 'Pod', namespace: 'Not_A_Label', name: 'x' }), UserFacingError);
    assert.throws(() => parseObjectTarget(ref, { kind: 'Pod', namespace: 'default', name: '' }), userError(/must not be empty/));
    assert.throws(
      () => parseObjectTarget(ref, { kind: 'Pod', namespace: 'default', name: 'x', container: 3 }),
      userError(/"object.container" must be a string/),
    );
  });

  it('a command refuses a kind it does not work on', function () {
    const svc = parseObjectTarget(ref, { kind: 'Service', namespace: 'default', name: 'web' });
    assert.equal(requireKind(svc, ['Pod', 'Service'], 'Port-forward'), svc);
    assert.throws(() => requireKind(svc, ['Pod'], 'Logs'), userError(/^Logs works on pods, not on a service\.$/));
  });

  it('the container: the one given must exist, the only one is taken, otherwise the user chooses', function () {
    const pod = parseObjectTarget(ref, { kind: 'Pod', namespace: 'default', name: 'web-0' });
    const app = { name: 'app', init: false, restarts: 0, state: 'running' };
    const init = { name: 'setup', init: true, restarts: 0, state: 'terminated' };
    assert.equal(knownContainer(pod, [app])?.container, 'app');
    assert.equal(knownContainer(pod, [init, app]), undefined, 'an init container too: ask');
    assert.equal(knownContainer({ ...pod, container: 'setup' }, [init, app])?.container, 'setup');
    assert.throws(() => knownContainer({ ...pod, container: 'db' }, [init, app]), userError(/has no container "db" \(it has setup, app\)/));
  });

  it('log options: none given asks, previous alone does not follow, wrong types are named', function () {
    assert.equal(logChoiceFrom({}), undefined);
    assert.deepEqual(logChoiceFrom({ previous: true }), { follow: false, previous: true });
    assert.deepEqual(logChoiceFrom({ tailLines: 10 }), { follow: true, tailLines: 10 });
    assert.deepEqual(logChoiceFrom({ follow: false, sinceSeconds: 60 }), { follow: false, sinceSeconds: 60 });
    assert.throws(() => logChoiceFrom({ follow: 'yes' }), userError(/"follow" must be true or false/));
    assert.throws(() => logChoiceFrom({ tailLines: -1 }), userError(/"tailLines" must be a whole number/));
  });

  it('how a log ends, with the reason redacted', function () {
    assert.equal(logEndNote(undefined), 'the log ended');
    assert.equal(logEndNote(new KubeError('cancelled', 'aborted')), 'stopped');
    const note = logEndNote(new Error('GET https://admin:hunter2@host.example/ failed'));
    assert.match(note, /^the log stream ended: /);
    assert.ok(!note.includes('hunter2'));
  });

  it('a terminal: the default shell or a given list of strings; a pod that does not run is refused', function () {
    assert.equal(execCommand(undefined), DEFAULT_SHELL);
    assert.deepEqual(execCommand(['ls', '-l']), ['ls', '-l']);
    for (const bad of [[], 'ls', [1]]) assert.throws(() => execCommand(bad), userError(/"command" must be a non-empty list of strings/));
    const t = parseObjectTarget(ref, { kind: 'Pod', namespace: 'default', name: 'web-0' });
    requireRunning({ status: { phase: 'Running' } } as Pod, t);
    assert.throws(() => requireRunning({ status: { phase: 'Pending' } } as Pod, t), userError(/is not running/));
    assert.equal(execEndMessage('exec: "/bin/sh": not found', 'app', '/bin/sh'), 'The container app has no /bin/sh to run: exec: "/bin/sh": not found');
    assert.equal(execEndMessage('exec: "/bin/zsh": not found', 'app', '/bin/zsh'), 'The container app has no /bin/zsh to run: exec: "/bin/zsh": not found');
    assert.equal(execEndMessage('exec: "ls": not found', 'app', undefined), 'exec: "ls": not found');
  });

  it('port numbers from 1 to 65535; empty only where any free port is meant', function () {
    assert.equal(portProblem('8080', false), undefined);
    assert.equal(portProblem(' ', true), undefined);
    for (const bad of ['', '0', '65536', '80a']) assert.ok(portProblem(bad, false), bad);
  });
});
