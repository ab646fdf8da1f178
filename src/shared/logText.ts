// The kept text of a growing log document (src/webview/logDocuments.ts): new text is appended and, over the cap, the
// oldest text is dropped. Dropping copies every character that stays, so it must not happen on every chunk: a log at
// its cap that dropped just the overflow would copy the whole kept text (megabytes) for each small chunk. Over the cap
// the text is cut down to TRIM_TO of the cap at once (at a line start where there is one), so the next cut comes only
// after a quarter of the cap has arrived again: each character is copied a bounded number of times (amortised O(1)).

/** After a cut the text is at most this share of the cap. */
export const TRIM_TO = 0.75;

export interface KeptText {
  readonly text: string;
  /** Characters dropped from the start by this call (0 when nothing was cut). */
  readonly dropped: number;
}

/**
 * `kept` + `added`, cut from the start when longer than `max` characters: down to at most TRIM_TO × max characters,
 * starting after a line break when one lies within the first half of what would stay (else mid-line).
 */
export function appendKept(kept: string, added: string, max: number): KeptText {
  const text = kept + added;
  if (text.length <= max) return { text, dropped: 0 };
  const keep = Math.floor(max * TRIM_TO);
  let cut = text.length - keep;
  const nl = text.indexOf('\n', cut);
  if (nl !== -1 && nl + 1 - cut <= keep / 2) cut = nl + 1;
  return { text: text.slice(cut), dropped: cut };
}
