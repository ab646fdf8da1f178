import assert from 'node:assert/strict';
import { appendKept, TRIM_TO } from '../../src/shared/logText';

// A followed log at its cap: what the log document keeps, chunk by chunk (src/webview/logDocuments.ts).
describe('log documents: the kept text at its cap', () => {
  const MAX = 20_000;

  /** Feeds `chunks` chunks of lines to appendKept; counts the cuts and the characters they copied. */
  function follow(chunks: number, chunk: (i: number) => string) {
    let text = '';
    let dropped = 0;
    let all = '';
    let cuts = 0;
    let copied = 0;
    let longest = 0;
    for (let i = 0; i < chunks; i++) {
      const added = chunk(i);
      all += added;
      const kept = appendKept(text, added, MAX);
      if (kept.dropped) {
        cuts++;
        copied += kept.text.length;
      }
      text = kept.text;
      dropped += kept.dropped;
      longest = Math.max(longest, text.length);
    }
    return { text, dropped, all, cuts, copied, longest };
  }

  it('cuts in large steps: each character is copied a bounded number of times, not the whole text per chunk', () => {
    const line = (i: number) => `2026-01-01T00:00:00Z line ${String(i).padStart(8, '0')} ${'x'.repeat(40)}\n`;
    const r = follow(20_000, line);
    const total = r.all.length; // about 1.5 MB through a 20 000-character cap
    assert.ok(total > 50 * MAX);
    // a cut leaves at most TRIM_TO of the cap, so the next one needs (1 − TRIM_TO) × cap new characters
    const room = MAX * (1 - TRIM_TO);
    assert.ok(r.cuts <= Math.ceil(total / room) + 1, `${r.cuts} cuts for ${total} characters`);
    assert.ok(r.copied <= 4 * total, `${r.copied} characters copied for ${total} appended`);
    assert.ok(r.longest <= MAX);
    // nothing lost in between: the kept text is the end of everything, and the count of the dropped is exact
    assert.equal(r.dropped + r.text.length, total);
    assert.ok(r.all.endsWith(r.text));
    // cut at a line start: the document does not begin mid-line
    assert.match(r.text, /^2026-01-01T00:00:00Z line \d{8} x{40}\n/);
  });

  it('cuts mid-line when no line break lies near the cut, still keeping at most the cap', () => {
    const r = follow(3_000, (i) => String(i % 10).repeat(97));
    assert.ok(r.longest <= MAX);
    assert.equal(r.dropped + r.text.length, r.all.length);
    assert.ok(r.all.endsWith(r.text));
    assert.ok(r.text.length >= MAX * TRIM_TO);
  });

  it('keeps everything below the cap', () => {
    const r = follow(10, (i) => `line ${i}\n`);
    assert.equal(r.cuts, 0);
    assert.equal(r.text, r.all);
  });
});
