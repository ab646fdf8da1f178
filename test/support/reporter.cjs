// Mocha reporter used by every suite: the ordinary spec output, plus the run's counts written as JSON to the file
// named by $VCE_RESULT_FILE so that scripts/test.mjs can print one closing "N passed, N failed" line for all suites.
const fs = require('node:fs');
const Mocha = require('mocha');

// Tags in suite titles: tests that touch a real vcluster (the real syncer on the real node), and tests that use the real
// node without a vcluster. npm test prints both counts.
const REAL_VCLUSTER_TAG = '[real vcluster]';
const REAL_NODE_TAG = '[real node]';

class ResultReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    const real = { passes: 0, failures: 0, nodePasses: 0, nodeFailures: 0 };
    const count = (test, passed) => {
      const title = test.fullTitle();
      if (title.includes(REAL_VCLUSTER_TAG)) real[passed ? 'passes' : 'failures']++;
      else if (title.includes(REAL_NODE_TAG)) real[passed ? 'nodePasses' : 'nodeFailures']++;
    };
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => count(test, true));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
      failures.push({ title: test.fullTitle(), message: String(err && err.message) });
      count(test, false);
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.VCE_RESULT_FILE;
      if (!file) return;
      const s = runner.stats || {};
      fs.writeFileSync(
        file,
        JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0, tests: s.tests || 0, real, failed: failures }),
      );
    });
  }
}
module.exports = ResultReporter;
