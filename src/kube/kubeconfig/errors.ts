import { UserFacingError } from '../../shared/errors';

/** What went wrong, as a stable code the UI and tests can match on. */
export type KubeconfigErrorCode =
  | 'noKubeconfig'
  | 'unreadable'
  | 'invalidYaml'
  | 'multipleDocuments'
  | 'wrongType'
  | 'wrongKind'
  | 'missingName'
  | 'duplicateName'
  | 'danglingReference'
  | 'incomplete'
  | 'unknownContext'
  | 'invalidArgument'
  | 'contextInUse'
  | 'lockTimeout'
  | 'lockFailed'
  | 'writeFailed'
  | 'editFailed'
  | 'nothingToUndo'
  | 'changedSince';

/** One problem found in a kubeconfig file, reported as data (the tree shows it next to the entry it concerns). */
export interface KubeconfigProblem {
  /** The file the problem is in (absolute path as configured, not the symlink target). */
  readonly file: string;
  readonly code: KubeconfigErrorCode;
  /** A full sentence that names the file and the problem; never contains credential values. */
  readonly message: string;
  /** The entry concerned, when the problem is about one entry. */
  readonly entry?: { readonly kind: EntryKind; readonly name?: string; readonly index: number };
  /**
   * True when kubectl itself would refuse to load the file (invalid YAML, wrong types, duplicate names): the writer
   * refuses to touch such a kubeconfig. False for problems kubectl tolerates at load time (dangling references,
   * a cluster without a server), which only make the entries concerned unusable.
   */
  readonly blocking: boolean;
}

export type EntryKind = 'cluster' | 'user' | 'context';

/** An expected kubeconfig failure. The message names the file and the problem and is safe to show and log. */
export class KubeconfigError extends UserFacingError {
  constructor(
    readonly code: KubeconfigErrorCode,
    message: string,
    readonly file?: string,
    readonly problems: readonly KubeconfigProblem[] = [],
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }

  static fromProblems(problems: readonly KubeconfigProblem[]): KubeconfigError {
    const first = problems[0];
    if (!first) return new KubeconfigError('editFailed', 'Unknown kubeconfig problem');
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    return new KubeconfigError(first.code, first.message + more, first.file, problems);
  }
}

/** Why a file operation failed, in words for a message: the common errno codes spelled out, else the code itself. */
export function fsFailureReason(err: unknown, fallback = 'unknown error'): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EROFS') return 'read-only file system';
  return code ?? fallback;
}
