// The vcluster chart inside the vcluster Go module says `version: 0.0.1` (its release pipeline stamps the real one) and
// a CLI built with `go build` embeds no chart: tests that run `vcluster create` offline use a copy stamped with the
// version they want, through --local-chart-dir.
import fs from 'node:fs';
import path from 'node:path';

/** Copies the chart at `src` to `<destRoot>/chart-<version>` with that version in Chart.yaml; returns the copy. */
export function stampChart(src: string, destRoot: string, version: string): string {
  const dir = path.join(destRoot, `chart-${version}`);
  fs.cpSync(src, dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const chartYaml = path.join(dir, 'Chart.yaml');
  fs.chmodSync(chartYaml, 0o644);
  fs.writeFileSync(chartYaml, fs.readFileSync(chartYaml, 'utf8').replace(/^version: .*$/m, `version: ${version}`));
  return dir;
}
