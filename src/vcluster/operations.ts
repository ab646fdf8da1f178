// The domain operations the command handlers call, in one namespace that the services facade (src/vcluster/services.ts `ops`)
// carries: they load with the services on first use, not at activation, and the handlers need no import() of their own.

export { CLI_MISSING, createArgs, findExecutable, runCli, runProgram } from './cli';
export { connectVCluster, disconnectContext, restoreTunnel } from './connect';
export { parseVClusterContext } from './contextName';
export { deleteVCluster } from './delete';
export { pauseVCluster, resumeVCluster } from './lifecycle';
export { contextAbove, leaveIfInside, removeOwnContext, requireContextAbove } from './ownContext';
export { planCreate, requirePermissions } from './permissions';
export { formatEvents } from './resources';
export { describeOutcome, isChartVersion, parseCliVersion, planUpgrade, runUpgrade, upgradeArgs, versionOffers } from './upgrade';
