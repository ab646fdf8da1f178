/** A plain object (not null, not an array): what JSON from a server, a message or a setting must be before its fields are read. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
