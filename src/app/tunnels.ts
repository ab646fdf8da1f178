import type { CommandEnv } from '../commands/env';
import { errorMessage } from '../shared/errors';

/**
 * Re-opens the port-forward tunnels that kubeconfig contexts written by Connect still point at (after a window
 * reload), on the same local ports. Records whose context is gone are dropped. Runs at activation.
 */
export async function restoreTunnels(env: CommandEnv): Promise<number> {
  const records = env.tunnelStore.all();
  if (records.length === 0) return 0;
  const services = await env.services();
  await services.model.reloadKubeconfig();
  let restored = 0;
  for (const { context, record } of records) {
    try {
      if (record && (await services.ops.restoreTunnel(services, context, record))) restored++;
      else await env.tunnelStore.forget(context);
    } catch (err) {
      env.logger.warn(`Could not restore the tunnel of ${context} on port ${record?.localPort}: ${errorMessage(err)}`);
    }
  }
  return restored;
}
