import {
  KEY_KEYWORD_PATTERN,
  KEY_KEYWORDS,
  type KeywordRule,
  KeywordScan,
  keyStartBefore,
  regexRule,
  type SecretSpan,
  type TextRule,
} from './secretRule';
import { GENERIC_MIN_LENGTH, isLikelySecretValue, isSecretForKey, secretKeyKind } from './secretValue';

/**
 * Secrets in command lines: passwords that a tool's flag or position says are passwords
 * (`mysql -pXXX`, `sshpass -p`, `htpasswd -b`), values echoed into a tool that reads a
 * password from standard input, and secret-named words followed by a value without an
 * operator (`--token value`, `.netrc`'s `password value`).
 */

/** A value in a command line: quoted (also bash's `$'…'`; the quotes are masked with it) or one word. */
const ARG = String.raw`(?:\$?'[^'\r\n]+'|"[^"\r\n]+"|[^\s'"|;&]+)`;
/** The rest of one command (not past a pipe, `;` or `&&`), bounded so that scanning stays linear. */
const SAME_COMMAND = String.raw`[^\r\n|;&]{0,400}?`;

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/**
 * A password that a tool's documented flag or position says is one, e.g. `mysql -pXXX` or
 * `sshpass -p XXX`. The place proves what it is, so any value that is not a reference or a
 * placeholder counts, even a weak one. `keywords`: one of them is in every match (the tool's
 * name, or its flag when the name is too short or too common to look for).
 */
function toolPassword(keywords: readonly string[], pattern: string): TextRule {
  const accept = (s: string) => {
    const v = unquote(s);
    return v.length >= 4 && isLikelySecretValue(v.padEnd(GENERIC_MIN_LENGTH, v), false);
  };
  return regexRule('cli-flag-secret', new RegExp(pattern), accept, keywords);
}

/** The `-p` / `-P` flag as these patterns write it (after a blank). */
const DASH_P = [' -p', '\t-p'];
const DASH_CAPITAL_P = [' -P', '\t-P'];

export const TOOL_PASSWORD_RULES: TextRule[] = [
  // MySQL/MariaDB clients take the password glued to -p (`-p secret` would name a database).
  toolPassword(['mysql', 'mariadb'], String.raw`\b(?:mysql\w*|mariadb\w*)\b${SAME_COMMAND}[ \t]-p(?<secret>${ARG})`),
  toolPassword(['sshpass'], String.raw`\bsshpass[ \t]+(?:-[a-zA-Z][ \t]+)*-p[ \t]*(?<secret>${ARG})`),
  // `login -p` of container registries and clouds (`docker run -p 8080:80` is a port).
  toolPassword(
    DASH_P,
    String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm|oc|az|twine)\b${SAME_COMMAND}\b(?:login|upload)\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(
    ['mongo'],
    String.raw`\bmongo(?:sh|dump|restore|export|import)?\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(
    ['useradd', 'usermod'],
    String.raw`\b(?:useradd|usermod)\b${SAME_COMMAND}[ \t]-p[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(['redis-cli'], String.raw`\bredis-cli\b${SAME_COMMAND}[ \t]-a[ \t]+(?<secret>${ARG})`),
  toolPassword(
    ['sqlcmd', 'bcp', 'osql'],
    String.raw`\b(?:sqlcmd|bcp|osql)\b${SAME_COMMAND}[ \t]-P[ \t]*(?<secret>${ARG})`,
  ),
  toolPassword(['ldap'], String.raw`\bldap\w+\b${SAME_COMMAND}[ \t]-w[ \t]+(?<secret>${ARG})`),
  toolPassword(DASH_CAPITAL_P, String.raw`\b(?:zip|unzip)\b${SAME_COMMAND}[ \t]-P[ \t]+(?<secret>${ARG})`),
  toolPassword(['7z'], String.raw`\b7za?\b${SAME_COMMAND}[ \t]-p(?<secret>${ARG})`),
  toolPassword(['smbclient'], String.raw`\bsmbclient\b${SAME_COMMAND}[ \t]-U[ \t]+[^\s%]+%(?<secret>${ARG})`),
  // openssl's -passin/-passout/-pass take `pass:<password>` (env:, file: name a source).
  toolPassword(['pass:'], String.raw`-pass(?:in|out)?[ \t]+["']?pass:(?<secret>[^\s'"]+)`),
  // Positional passwords.
  toolPassword(
    ['htpasswd'],
    String.raw`\bhtpasswd[ \t]+-\w*b\w*[ \t]+(?:-\S+[ \t]+)*\S+[ \t]+\S+[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(
    ['rabbitmqctl'],
    String.raw`\brabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S+[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(
    ['mc'],
    String.raw`\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+(?<secret>${ARG})`,
  ),
  toolPassword(
    ['bundle'],
    String.raw`\bbundle[ \t]+config[ \t]+(?:set[ \t]+)?(?:--\w+[ \t]+)?\S+[ \t]+[^\s:]+:(?<secret>${ARG})`,
  ),
  // A value echoed into a tool that reads a password or token from standard input.
  toolPassword(
    ['|'],
    String.raw`\b(?:echo|printf|yes)(?:[ \t]+-[neE]+)*(?:[ \t]+'%s(?:\\n)?')?[ \t]+(?<secret>${ARG})[ \t]*\|[^\r\n|]*?(?:password-stdin|--stdin|chpasswd|sudo[ \t]+(?:-\w+[ \t]+)*-S\b|\blogin\b|secret[ \t]+(?:put|set)|with-token|keytool)`,
  ),
];

/**
 * A secret-named word followed by a value without an operator: `--password value`,
 * `--api-key value`, `set -x DB_PASS value`, `.netrc`'s `password value`, `ngrok authtoken
 * value`, `aws configure set aws_secret_access_key value`. Found like assignments (a keyword
 * scan, then the key extended backwards). Prose passes through: "password authentication
 * failed", "token expired" are lower-case words that do not look random.
 */
const KEYWORD_SPACE = new RegExp(String.raw`${KEY_KEYWORD_PATTERN}[A-Za-z0-9_.-]{0,40}?[ \t]+(?=[^\s=:])`, 'iy');
const SPACED_VALUE = /(?<q>["'])?(?<v>[^\s"'|;&<>]{6,512})\k<q>(?=$|[\s;&|)])/y;

export const keySpaceValueRule: KeywordRule = {
  id: 'generic-secret',
  keywords: KEY_KEYWORDS,
  findAt(text, starts) {
    const spans: SecretSpan[] = [];
    const scan = new KeywordScan(text, KEYWORD_SPACE);
    for (const at of starts) {
      const m = scan.at(at);
      if (!m) continue;
      const keyStart = keyStartBefore(text, m.index);
      const before = keyStart > 0 ? text[keyStart - 1] : '';
      if (before && !/[\s"'(]/.test(before)) continue;
      const key = text.slice(keyStart, m.index + m[0].length).trimEnd();
      const kind = secretKeyKind(key);
      if (kind === 'no') continue;
      SPACED_VALUE.lastIndex = m.index + m[0].length;
      const v = SPACED_VALUE.exec(text);
      const value = v?.groups?.v;
      if (!v || !value) continue;
      scan.consumedTo(v.index + v[0].length);
      if (/^--?[a-z][a-z-]*$/.test(value)) continue; // the next flag
      // Without an operator, only a flag (`--token x`) or a password word (.netrc's
      // `password x`) is sure to be followed by its value; after other words (`secret`,
      // `credentials "app.terraform.io"`) the value has to look generated.
      const sure = key.startsWith('-') || /(?:pass|passwd|password|passphrase|pwd)$/i.test(key);
      const judged = kind === 'yes' && !sure ? 'yes-random' : kind;
      if (isSecretForKey(judged, key, value, !v.groups?.q)) {
        const end = v.index + v[0].length - (v.groups?.q ? 1 : 0);
        spans.push({
          start: end - value.length,
          end,
          ruleId: key.startsWith('-') ? 'cli-flag-secret' : 'generic-secret',
        });
      }
    }
    return spans;
  },
};
