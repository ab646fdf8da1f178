import assert from 'node:assert/strict';
import { shellCommand } from '../../src/commands/contractInside';
import { MAX_TAIL_LINES, parseSince, parseTail, shellProblem, sinceProblem, tailProblem } from '../../src/vcluster/insideChoices';

// What a user types for a log's since/tail and for the shell of a terminal in a container.

describe('inside a vcluster: typed input for logs and terminals', function () {
  it('since: Go-style durations as kubectl logs --since takes them, days, or plain seconds', function () {
    assert.deepEqual(['30s', '10m', '2h', '1h30m', '1h30m15s', '3d', '600', ' 5M '].map(parseSince), [30, 600, 7200, 5400, 5415, 259_200, 600, 300]);
    for (const bad of ['', '0', '0s', '-5m', '10 m', '1.5h', 'm', '10y', '367d', 'h1', '1s2m']) assert.equal(parseSince(bad), undefined, bad);
    assert.equal(sinceProblem('10m'), undefined);
    assert.match(sinceProblem('ten minutes')!, /30s, 10m, 2h/);
  });

  it('tail: a whole number of lines, 0 included, with an upper bound', function () {
    assert.deepEqual(['0', '500', ` ${MAX_TAIL_LINES} `].map(parseTail), [0, 500, MAX_TAIL_LINES]);
    for (const bad of ['', '-1', '1.5', '1e3', String(MAX_TAIL_LINES + 1), 'all']) assert.equal(parseTail(bad), undefined, bad);
    assert.equal(tailProblem('100'), undefined);
    assert.match(tailProblem('x')!, /whole number of lines/);
  });

  it('shell: one absolute path of a program, no arguments, no shell syntax', function () {
    for (const ok of ['/bin/sh', '/usr/bin/fish', '/opt/tools/bash-5.2', ' /bin/zsh ']) assert.equal(shellProblem(ok), undefined, ok);
    assert.match(shellProblem('')!, /path of a shell/);
    assert.match(shellProblem('bash')!, /absolute path/);
    assert.match(shellProblem('/bin/sh -c reboot')!, /no arguments/);
    assert.match(shellProblem('/bin/sh;rm -rf /')!, /no arguments/);
    assert.match(shellProblem('/bin/$(id)')!, /no arguments/);
    assert.match(shellProblem('/bin/sh\u001b[2J')!, /no arguments/);
    assert.match(shellProblem('/../../bin/sh')!, /"\.\."/);
    assert.match(shellProblem(`/${'a'.repeat(300)}`)!, /256/);
    // As a command argument: the one program, trimmed, or one message saying what is wrong.
    assert.deepEqual(shellCommand(' /bin/ash '), ['/bin/ash']);
    assert.throws(() => shellCommand('/bin/sh -c id'), /^UserFacingError: "shell": Letters, digits/);
    assert.throws(() => shellCommand(42), /"shell" must be a string/);
  });
});
