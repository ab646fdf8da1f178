import * as vscode from 'vscode';
import * as notify from '../platform/notify';
import { describePermission, isKubeError } from '../kube/errors';
import { CancelledError, UserFacingError, errorMessage } from '../shared/errors';
import type { CommandId } from '../shared/ids';
import type { Logger } from '../platform/logger';

export type Handler = (...args: unknown[]) => unknown;

/**
 * Registers a command through the one wrapper every command uses: it logs the call, turns a UserFacingError into one
 * clear message and a request the API server refused into the permission it names, ignores cancellation, and logs
 * anything else as a bug with a "Show Log" action. No exception escapes to VS Code. The handler's result is returned to programmatic callers (e.g. connect's context name).
 */
export function registerCommand(id: CommandId, handler: Handler, logger: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    logger.debug(`command ${id}`);
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof CancelledError) {
        logger.info(`${id}: ${err.message}`);
        return undefined;
      }
      if (isKubeError(err, 'forbidden') && err.denial) {
        // A request refused anyway (permissions changed, or no check covers it): name what is missing, not a raw 403.
        const message = `The API server refused: user "${err.denial.user}" may not ${describePermission(err.denial)}.`;
        logger.warn(`${id}: ${message} (${err.message})`);
        void showError(message, logger);
        return undefined;
      }
      if (err instanceof UserFacingError) {
        logger.warn(`${id}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`);
        void showError(err.message, logger);
        return undefined;
      }
      logger.error(`${id} failed`, err);
      void showError(`vcluster: ${errorMessage(err)}`, logger);
      return undefined;
    }
  });
}

async function showError(message: string, logger: Logger): Promise<void> {
  // Messages often quote a server's answer or a program's output: no credential may reach the notification.
  const choice = await notify.error(message, 'Show Log');
  if (choice === 'Show Log') logger.show();
}
