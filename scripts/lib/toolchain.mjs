// Installs and locates everything the project needs outside node_modules: Node runtimes, Debian packages, the
// Go-built Kubernetes tools and code-server (the images and the chart for real vclusters on a real node are in
// real-node.mjs, which builds on this). Plain Node ESM without dependencies, so it runs before `npm ci`. Everything
// goes to a version-keyed cache outside the repository and is installed only when missing.
//
// One module a concern, all re-exported here (the scripts, the harness and the benchmark import this file):
//   versions.mjs             the repository, the cache, the versions and the Debian package list, log/SetupError
//   child-env.mjs            the environment of every program we start, runChild(), run(), runNodeScript(), which()
//   apt.mjs                  Debian packages
//   node-runtime.mjs         Node runtimes from the npm registry, npm run with one of them
//   npm-deps.mjs             `npm ci` when node_modules is stale
//   go-tools.mjs             the Go-built tools
//   code-server-install.mjs  code-server
export * from './versions.mjs';
export * from './child-env.mjs';
export * from './apt.mjs';
export * from './node-runtime.mjs';
export * from './npm-deps.mjs';
export * from './go-tools.mjs';
export * from './code-server-install.mjs';
