// Types for real-node.mjs, so that the TypeScript harness can import it.
export interface NodeImage {
  /** Image reference inside the node's containerd, e.g. localhost/pause:v1.34.4. */
  ref: string;
  /** The image archive in the cache. */
  file: string;
}
export function nodeImages(): { pause: NodeImage; busybox: NodeImage; vcluster: NodeImage; kubernetes: NodeImage };
export function ensureNodeImages(names?: (keyof ReturnType<typeof nodeImages>)[]): Promise<ReturnType<typeof nodeImages>>;
export function chartRepoDir(): string;
export function ensureChartRepo(): Promise<string>;
export const SKIP_REAL_NODE_ENV: string;
export function realNodeSupport(): string[];
