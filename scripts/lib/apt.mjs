// Debian packages of the set-up (the list is in versions.mjs): installed with apt-get when we are root, otherwise the
// command to run is named.
import { spawnSync } from 'node:child_process';
import { childEnv, run } from './child-env.mjs';
import { aptPackages, elapsed, log, SetupError } from './versions.mjs';

export async function ensureAptPackages(pkgs = aptPackages) {
  const missing = pkgs.filter(
    (p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8', env: childEnv() }).stdout?.includes('install ok installed') !== true,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new SetupError(`missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const start = Date.now();
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = childEnv({ set: { DEBIAN_FRONTEND: 'noninteractive' } });
  await run('apt-get', ['update', '-q'], { env, label: 'apt-get update' });
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, label: 'apt-get install' });
  log(`Debian packages installed in ${elapsed(start)}`);
}
