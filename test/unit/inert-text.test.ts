// Cluster text stays text where VS Code renders syntax of its own (src/shared/inertText.ts). The checks model what
// VS Code does with the string, from its sources (microsoft/vscode 1.101): the link parser of notifications, the icon
// renderer of labels, and the steps of its Markdown renderer that concern icons and backslash escapes.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeMarkdown, inertIcons, inertLinks } from '../../src/shared/inertText';

// src/vs/base/common/linkedText.ts (LINK_REGEX) after NotificationViewItem.parseNotificationMessage
// (src/vs/workbench/common/notifications.ts) replaced line breaks with spaces.
function notificationLinks(message: string): { label: string; href: string; title?: string }[] {
  const re = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  const text = message.replace(/(\r\n|\n|\r)/gm, ' ').trim();
  return [...text.matchAll(re)].map((m) => ({ label: m[1]!, href: m[2]!, ...(m[4] ? { title: m[4] } : {}) }));
}

const ICON = '[A-Za-z0-9-]+(?:~[A-Za-z]+)?'; // src/vs/base/common/themables.ts iconNameExpression, iconModifierExpression

/** src/vs/base/browser/ui/iconLabel/iconLabels.ts renderLabelWithIcons: an icon becomes <icon:NAME>, `\$(x)` the text `$(x)`. */
function renderLabel(text: string): string {
  return text.replace(new RegExp(`(\\\\)?\\$\\((${ICON})\\)`, 'g'), (_m, escaped: string | undefined, name: string) =>
    escaped ? `$(${name})` : `<icon:${name}>`,
  );
}

/** CommonMark backslash escapes: a backslash before ASCII punctuation stands for that character. */
function unescapeMarkdown(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/**
 * What a person sees of a Markdown string with supportThemeIcons (src/vs/base/browser/markdownRenderer.ts): the escaped
 * icons escaped once more (markdownEscapeEscapedIcons, src/vs/base/common/iconLabels.ts), Markdown, then icons.
 */
function renderThemeIconMarkdown(md: string): string {
  const value = md.replace(new RegExp(`\\\\\\$\\(${ICON}\\)`, 'g'), (m) => `\\${m}`);
  return renderLabel(unescapeMarkdown(value));
}

/** Strings rich in the characters that matter here. */
const hostile = fc.string({
  unit: fc.constantFrom('[', ']', '(', ')', '$', '\\', '~', '-', 'a', 'Z', '7', ' ', '\n', ':', '"', '/', '*', '&', '#'),
  maxLength: 40,
});

describe('inert text: cluster text is never a link or an icon', () => {
  describe('inertLinks (notifications and modal details)', () => {
    const cases: [what: string, text: string][] = [
      ['a command: link', 'user "[click](command:workbench.action.quit)" may not list pods'],
      ['a command: link with arguments', '[Open](command:vscode.open?%5B%22file%3A%2F%2F%2Fetc%2Fpasswd%22%5D)'],
      ['an https: link', 'see [the docs](https://evil.example/x)'],
      ['an http: link in capitals', '[x](HTTP://evil.example/)'],
      ['a file: link', '[your key](file:///home/me/.ssh/id_ed25519)'],
      ['a link with a double-quoted title', '[ok](command:workbench.action.quit "Continue")'],
      ['a link with a single-quoted title', "[ok](command:workbench.action.quit 'Continue')"],
      ['a link inside brackets', '[see [here](command:workbench.action.quit)]'],
      ['a label across a line break', 'a [multi\nline](command:workbench.action.quit) label'],
      ['two links', '[a](command:a) and [b](https://b.example)'],
    ];
    for (const [what, text] of cases) {
      it(`${what}: VS Code finds a link in the text, and none in the inert text, which keeps every character`, () => {
        assert.ok(notificationLinks(text).length > 0, 'the case is a link for VS Code');
        const inert = inertLinks(text);
        assert.deepEqual(notificationLinks(inert), []);
        assert.equal(inert.replaceAll('] (', ']('), text, 'only spaces were added');
      });
    }

    it('leaves text without `](` unchanged', () => {
      for (const text of ['Forbidden: list statefulsets.apps', 'arrays [1] (one) and (2)', 'a ] ( b', '']) assert.equal(inertLinks(text), text);
    });

    it('for any text: no link, and nothing but a space after each `]` that VS Code could have joined to a `(`', () => {
      fc.assert(
        fc.property(hostile, (text) => {
          const inert = inertLinks(text);
          assert.deepEqual(notificationLinks(inert), []);
          assert.ok(!inert.includes(']('));
          assert.equal(inert.length, text.length + text.split('](').length - 1);
        }),
        { numRuns: 2000 },
      );
    });

    it('a megabyte of `[a](` is one pass', () => {
      const text = '[a]('.repeat(250_000);
      const inert = inertLinks(text);
      assert.equal(inert.length, text.length + 250_000);
      assert.deepEqual(notificationLinks(inert.slice(0, 4000)), []);
    });
  });

  describe('inertIcons (status-bar text, quick picks)', () => {
    it('shows icons as the text typed, and keeps other dollars and parentheses as they are', () => {
      assert.equal(inertIcons('$(squirrel) prod'), '\\$(squirrel) prod');
      assert.equal(renderLabel(inertIcons('$(squirrel) prod')), '$(squirrel) prod');
      assert.equal(inertIcons('$(sync~spin)'), '\\$(sync~spin)');
      assert.equal(inertIcons('cost $(5 dollars) $('), 'cost $(5 dollars) $(');
      assert.equal(renderLabel('$(squirrel) prod'), '<icon:squirrel> prod', 'the model renders an icon from raw text');
    });

    it('for any text: no icon, and the label reads exactly as the text', () => {
      fc.assert(
        fc.property(hostile, (text) => {
          const shown = renderLabel(inertIcons(text));
          assert.ok(!shown.includes('<icon:'), shown);
          assert.equal(shown, text);
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('escapeMarkdown (tree and status-bar tooltips)', () => {
    it('an icon in a name stays text in a tooltip with theme icons; the old escape let it through', () => {
      const name = 'ctx $(squirrel) [x](command:vcluster.switchContext)';
      assert.equal(renderThemeIconMarkdown(escapeMarkdown(name)), name);
      // The escape the tree used before: every punctuation character escaped, `$(` included.
      const old = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!|<>~&$]/g, '\\$&');
      assert.match(renderThemeIconMarkdown(old(name)), /<icon:squirrel>/);
    });

    it('escapes every Markdown punctuation character: no link, emphasis, HTML, entity or autolink', () => {
      const md = escapeMarkdown('[x](command:a) *b* _c_ <img> &#36; `d` https://e.example www.f.example | # ~g~');
      assert.doesNotMatch(md, /(^|[^\\])[[\]()*_<>&`|#~]/);
      assert.doesNotMatch(md, /https:\/\//, 'no GFM autolink: the colon is escaped');
      assert.doesNotMatch(md, /www\.f/, 'no GFM www autolink: the dot is escaped');
    });

    it('for any text: the tooltip reads exactly as the text, with and without theme icons, and shows no icon', () => {
      fc.assert(
        fc.property(hostile, (text) => {
          const md = escapeMarkdown(text);
          const withIcons = renderThemeIconMarkdown(md);
          assert.ok(!withIcons.includes('<icon:'), withIcons);
          assert.equal(withIcons, text);
          assert.equal(unescapeMarkdown(md), text);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
