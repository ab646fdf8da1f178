import type { KubeClient } from './client';
import { KubeError } from './errors';

// Pod logs over the API server's pods/log subresource (core/v1 PodLogOptions), as `kubectl logs` asks for them. For a
// virtual pod the request goes to the vcluster's API server, which hands it to the kubelet of its (virtual) node: the
// syncer, which reads the log of the host pod the virtual pod became.

export interface LogOptions {
  readonly container?: string;
  /** Keep the stream open and send new lines as the container writes them (kubectl logs -f). */
  readonly follow?: boolean;
  /** The log of the previous instance of the container, after a restart (kubectl logs -p). */
  readonly previous?: boolean;
  /** Only lines newer than this many seconds. */
  readonly sinceSeconds?: number;
  /** Only the last lines (kubectl logs --tail). */
  readonly tailLines?: number;
  readonly timestamps?: boolean;
  readonly signal?: AbortSignal;
}

/** A problem with the options, in words; undefined when they are usable. */
export function logOptionsProblem(o: LogOptions): string | undefined {
  if (o.sinceSeconds !== undefined && !(Number.isInteger(o.sinceSeconds) && o.sinceSeconds > 0)) return 'Since must be a whole number of seconds above 0';
  if (o.tailLines !== undefined && !(Number.isInteger(o.tailLines) && o.tailLines >= 0)) return 'Tail must be a whole number of lines (0 or more)';
  if (o.previous && o.follow) return 'The log of a previous container cannot be followed: it has ended';
  return undefined;
}

/**
 * Streams the log of a container to `onText` (chunks of text as they arrive, not split into lines). Resolves when the
 * log ends (the container stopped, or the whole log was sent without follow); rejects with a KubeError when the API
 * server refuses (unknown pod, a container that has not started, forbidden) or the connection breaks. Aborting
 * `signal` ends it with KubeError('cancelled').
 */
export async function streamLogs(client: KubeClient, namespace: string, pod: string, options: LogOptions, onText: (text: string) => void): Promise<void> {
  const problem = logOptionsProblem(options);
  if (problem) throw new KubeError('config', problem);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
  await client.streamText(
    path,
    {
      query: {
        container: options.container,
        follow: options.follow ? true : undefined,
        previous: options.previous ? true : undefined,
        sinceSeconds: options.sinceSeconds,
        tailLines: options.tailLines,
        timestamps: options.timestamps ? true : undefined,
      },
      signal: options.signal,
    },
    onText,
  );
}
