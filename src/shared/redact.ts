// Removes credential material from text before it is logged, shown or posted to a webview.

const PATTERNS: readonly [RegExp, string][] = [
  // PEM blocks (certificates, keys) and their base64 single-line forms in kubeconfigs
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g, '<redacted PEM>'],
  [/((?:client-certificate-data|client-key-data|certificate-authority-data|token|password|id-token|refresh-token|access-token|client-secret)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1<redacted>'],
  [/(Authorization:\s*(?:Bearer|Basic)\s+)\S+/gi, '$1<redacted>'],
  [/(bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi, '$1<redacted>'],
  // JWTs (service account tokens) wherever they appear
  [/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '<redacted JWT>'],
  // long base64 runs typical of PEM data encoded once more (LS0tLS1 = "-----")
  [/LS0tLS1[A-Za-z0-9+/=]{20,}/g, '<redacted base64 PEM>'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, repl] of PATTERNS) out = out.replace(re, repl);
  return out;
}
