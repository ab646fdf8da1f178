// Which plain (unquoted) YAML scalars kubectl would NOT read as strings. kubectl reads kubeconfigs with
// sigs.k8s.io/yaml, which decodes through go-yaml v2 (go.yaml.in/yaml/v2 v2.4, resolve.go `resolve`): by the first
// character a plain scalar may be a bool/null/.inf/.nan/merge key from a fixed table (y, Yes, on, OFF, ~, null, ...),
// a float (".5"), or — starting with a digit or a sign — a timestamp, an int in any of Go's ParseInt base-0 forms
// (0x1F, 0o17, 0b101, 017, 1_000; and go-yaml's own signed binary 0b+1, 0b-1) or a float (1e3, 1.5, 09). Such a value written plain comes back to kubectl as a
// number or a bool, and a name of that kind makes kubectl refuse the whole file. The writer quotes them.
// The test is on the safe side: quoting a string that Go would have read as a string anyway costs nothing.

const TABLE = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);

/** go-yaml v2's yamlStyleFloat. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's strconv.ParseInt/ParseUint with base 0 (underscores already removed), any size (overflow is checked below). */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** Anything go-yaml's parseTimestamp could accept starts with four digits and a dash. */
const TIMESTAMP_ISH = /^[0-9]{4}-/;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function goIntFits(sign: string, body: string): boolean {
  let v: bigint;
  const lower = body.toLowerCase();
  if (lower.startsWith('0x') || lower.startsWith('0b')) v = BigInt(lower);
  else if (lower.startsWith('0o')) v = BigInt(`0o${lower.slice(2)}`);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (sign === '-') return -v >= INT64_MIN;
  return v <= UINT64_MAX;
}

/** True when go-yaml v2 would resolve `s`, written as a plain scalar, to something other than a string. */
export function goYamlReadsAsNonString(s: string): boolean {
  if (TABLE.has(s)) return true;
  const first = s[0]!;
  if (first === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (!/[-+0-9]/.test(first)) return false;
  if (TIMESTAMP_ISH.test(s)) return true;
  const plain = s.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m && goIntFits(m[1]!, m[2]!)) return true;
  if (YAML_STYLE_FLOAT.test(plain)) return true;
  // go-yaml's own binary forms: `0b` then strconv.ParseInt of the rest in base 2, which takes a sign there too, so
  // `0b+1` is 1 and `0b-1` is -1 (resolve.go of go-yaml v2.4 and v3.0). v3 does the same with `0o` (`0o-7` is -7):
  // not kubectl's decoder, but quoted as well. Any length: quoting a string costs nothing.
  return /^-?0b[01]{1,64}$/.test(plain) || /^0b[-+][01]+$/.test(plain) || /^0o[-+][0-7]+$/.test(plain);
}

/**
 * Characters go-yaml v2 (YAML 1.1) will not read as they are: DEL, the C1 controls and U+FFFE/U+FFFF are not printable
 * to it, so a file holding one raw is refused whole ("control characters are not allowed"), and NEL, LINE SEPARATOR
 * and PARAGRAPH SEPARATOR are line breaks to it (scannerc.go is_printable and is_break), read as a space inside quotes
 * or as the end of a plain scalar. The C0 controls the yaml library already escapes. A string holding any of these is
 * written double-quoted with the character escaped (\N, \L, \P, \xHH, \uHHHH), which both YAML versions read back.
 */
export const GO_YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/;

const NAMED_ESCAPES: Record<string, string> = { '\u0085': '\\N', '\u2028': '\\L', '\u2029': '\\P' };

/** `text` (YAML whose scalars holding GO_YAML_UNSAFE characters are all double-quoted) with those characters escaped. */
export function escapeGoYamlUnsafe(text: string): string {
  return text.replace(/[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g, (c) => {
    const code = c.charCodeAt(0);
    return NAMED_ESCAPES[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** A lone surrogate: no UTF-8 file can hold it (it would be written as U+FFFD, another name). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
