/**
 * An expected failure whose message is written for the user (what went wrong and what to do). The command wrapper
 * shows it as one message without a stack; anything else is logged as a bug.
 */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** The user cancelled (quick pick dismissed, confirmation declined, progress cancelled): not an error. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
