// Mocha reporter used by every suite: the ordinary spec output, plus the run's counts written as JSON to the file
// named by $VCE_RESULT_FILE so that scripts/test.mjs can print one closing "N passed, N failed" line for all suites.
const fs = require('node:fs');
const Mocha = require('mocha');

class ResultReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
      failures.push({ title: test.fullTitle(), message: String(err && err.message) });
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.VCE_RESULT_FILE;
      if (!file) return;
      const s = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0, tests: s.tests || 0, failed: failures }));
    });
  }
}
module.exports = ResultReporter;
