// Text from a cluster (names, Status messages, user names quoted in a 403) shown where VS Code renders syntax of its
// own: links in notifications, `$(icon)` in labels, status-bar text and quick picks, Markdown in tooltips. These
// functions keep such text inert (shown as typed, never a link or an icon) and readable. Each is one linear pass.

/**
 * A notification message (and a modal's detail) without anything VS Code would turn into a link.
 *
 * VS Code parses messages with LINK_REGEX of microsoft/vscode src/vs/base/common/linkedText.ts (1.101):
 * `\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)`, case-insensitive, after it replaced
 * every line break with a space (notifications.ts, NotificationViewItem.parseNotificationMessage). A link needs a `]`
 * directly followed by `(`; a space between the two keeps every character and matches no link, whatever the scheme
 * (the list grew before: file: came later than command:), the title or the nesting of brackets.
 */
export function inertLinks(text: string): string {
  return text.replaceAll('](', '] (');
}

/**
 * A theme icon as VS Code's labels render it: `$(name)` or `$(name~modifier)` (microsoft/vscode
 * src/vs/base/common/themables.ts iconNameExpression `[A-Za-z0-9-]+`, iconModifierExpression `~[A-Za-z]+`, used by
 * iconLabels.ts). Only the `$(` of such a sequence is escaped, so any other `$` or `(` stays as it was.
 */
const ICON_START = /\$\((?=[A-Za-z0-9-]+(?:~[A-Za-z]+)?\))/g;

/**
 * Text for a place that renders `$(icon)` (status-bar text, quick-pick label/description/detail): a backslash before
 * each icon, which VS Code's renderLabelWithIcons (src/vs/base/browser/ui/iconLabel/iconLabels.ts) shows as the
 * literal `$(name)`. The same as VS Code's own escapeIcons, except that an already escaped `\$(name)` is escaped once
 * more and so shows its backslash too.
 */
export function inertIcons(text: string): string {
  return text.replace(ICON_START, '\\$(');
}

/**
 * One piece of a Markdown tooltip shown as plain text: every Markdown punctuation character backslash-escaped (no
 * emphasis, link, image, HTML, autolink, table cell or entity), and a `$(name)` emitted as `\$(name)` with its
 * parentheses left as they are. That is the form VS Code leaves alone when the MarkdownString has supportThemeIcons:
 * its renderer (src/vs/base/browser/markdownRenderer.ts) turns `\$(name)` into `\\$(name)` before marked and renders
 * icons in marked's output, where `\$(name)` shows as the literal text. An escaped `\$\(name\)` would come out of
 * marked as `$(name)` and become an icon. Without supportThemeIcons the result reads the same.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)|[\\`*_{}[\]()#+\-.!|<>~&$:]/g, (m: string, icon: string | undefined) =>
    icon !== undefined ? `\\$(${icon})` : `\\${m}`,
  );
}
