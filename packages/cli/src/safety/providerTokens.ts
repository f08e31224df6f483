import { shannonEntropy } from './entropy';

/**
 * Token formats of services, each recognisable on its own by a fixed prefix or shape (no key
 * name needed): the first, exact half of the redactor's rules. Written from each service's
 * documentation of its token format, and cross-checked against the public rule sets
 * (gitleaks, trufflehog, detect-secrets). `secretRules.ts` turns each entry into a rule and
 * leaves out documentation placeholders (`isExampleToken`).
 *
 * `secret`, when the pattern has such a named group, is the part masked; otherwise the whole
 * match. `accept` rejects matches whose shape fits but whose content does not look generated.
 * `keywords` are fixed strings one of which every match contains (in the pattern's case):
 * the pattern runs only on the lines that hold one (redactor.ts). A pattern without a fixed
 * part (`discord-bot-token`) scans the whole text. No pattern matches across a line break.
 */
export interface ProviderToken {
  id: string;
  pattern: RegExp;
  keywords?: readonly string[];
  accept?: (token: string) => boolean;
}

/** Requires letters and digits and an entropy of a generated string (not `sk-learn-layer`). */
const generated = (minEntropy: number) => (s: string) =>
  /\d/.test(s) && /[A-Za-z]/.test(s) && shannonEntropy(s) >= minEntropy;

export const PROVIDER_TOKENS: readonly ProviderToken[] = [
  // CodeVF's own: `cvf_` + kind (access, refresh, device code, web session) + 43 base64url.
  { id: 'codevf-token', pattern: /\bcvf_(?:at|rt|dc|s)_[A-Za-z0-9_-]{20,512}/, keywords: ['cvf_'] },
  {
    id: 'aws-access-key-id',
    pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/,
    keywords: ['A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA'],
  },
  {
    id: 'aws-secret-access-key',
    pattern:
      /(?<![A-Za-z0-9])(?:aws[_.-]?)?secret[_.-]?access[_.-]?key["']?[ \t]*[:= \t][ \t]*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/i,
    keywords: ['access'],
  },
  {
    id: 'github-token',
    pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
  },
  { id: 'github-fine-grained-pat', pattern: /\bgithub_pat_[A-Za-z0-9_]{50,255}\b/, keywords: ['github_pat_'] },
  {
    id: 'gitlab-token',
    pattern: /\bgl(?:pat|dt|ptt|rt|soat|cbt|ffct|oas|imt)-[A-Za-z0-9_-]{20,512}(?![A-Za-z0-9_-])/,
    keywords: ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glsoat-', 'glcbt-', 'glffct-', 'gloas-', 'glimt-'],
  },
  {
    id: 'slack-token',
    pattern:
      /\b(?:xox[abposr]-\d+-[A-Za-z0-9-]{6,512}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{20,512}|xapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+)/,
    keywords: ['xox', 'xapp-'],
  },
  {
    id: 'slack-webhook',
    pattern: /https?:\/\/hooks\.slack\.com\/(?<secret>(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,512})/,
    keywords: ['hooks.slack.com'],
  },
  {
    id: 'stripe-key',
    pattern: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}\b/,
    keywords: ['_live_', '_test_', '_prod_'],
  },
  { id: 'stripe-webhook-secret', pattern: /\bwhsec_[A-Za-z0-9+/=]{24,512}/, keywords: ['whsec_'] },
  { id: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, keywords: ['AIza'] },
  { id: 'google-oauth-secret', pattern: /\bGOCSPX-[A-Za-z0-9_-]{24,512}/, keywords: ['GOCSPX-'] },
  { id: 'firebase-cloud-messaging-key', pattern: /\bAAAA[A-Za-z0-9_-]{7}:[A-Za-z0-9_-]{100,512}/, keywords: ['AAAA'] },
  { id: 'anthropic-api-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,512}/, keywords: ['sk-ant-'] },
  {
    id: 'openai-api-key',
    pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,512}(?![A-Za-z0-9_-])/,
    keywords: ['sk-'],
    accept: (key) => generated(3.5)(key.replace(/^sk-(?:proj-|svcacct-|admin-|None-)?/, '')),
  },
  { id: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/, keywords: ['npm_'] },
  { id: 'pypi-token', pattern: /\bpypi-AgE[A-Za-z0-9_-]{50,512}/, keywords: ['pypi-AgE'] },
  { id: 'sendgrid-api-key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, keywords: ['SG.'] },
  { id: 'huggingface-token', pattern: /\b(?:hf_|api_org_)[A-Za-z]{34}\b/, keywords: ['hf_', 'api_org_'] },
  { id: 'digitalocean-token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/, keywords: ['doo_v1_', 'dop_v1_', 'dor_v1_'] },
  { id: 'twilio-api-key', pattern: /\bSK[0-9a-fA-F]{32}\b/, keywords: ['SK'], accept: generated(3.0) },
  { id: 'mailgun-key', pattern: /\bkey-[0-9a-f]{32}\b/, keywords: ['key-'], accept: generated(3.0) },
  { id: 'mailchimp-key', pattern: /\b[0-9a-f]{32}-us\d{1,2}\b/, keywords: ['-us'] },
  { id: 'docker-hub-token', pattern: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,512}/, keywords: ['dckr_'] },
  {
    id: 'shopify-token',
    pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/,
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
  },
  { id: 'atlassian-token', pattern: /\bATATT3[A-Za-z0-9_=-]{100,512}/, keywords: ['ATATT3'] },
  { id: 'heroku-key', pattern: /\bHRKU-[A-Za-z0-9_-]{30,512}/, keywords: ['HRKU-'] },
  {
    id: 'new-relic-key',
    pattern: /\bNR(?:AK|II|JS|RA|AA)-[A-Za-z0-9]{19,512}\b/,
    keywords: ['NRAK-', 'NRII-', 'NRJS-', 'NRRA-', 'NRAA-'],
  },
  { id: 'new-relic-key', pattern: /\b[a-f0-9]{36}NRAL\b/, keywords: ['NRAL'] },
  // A DSN's key (and legacy secret) is the user part of the URL; the project is a number.
  {
    id: 'sentry-dsn',
    pattern: /\/\/(?<secret>[a-f0-9]{32}(?::[a-f0-9]{32})?)@[A-Za-z0-9.-]+(?::\d+)?\/\d+/,
    keywords: ['@'],
  },
  { id: 'sentry-token', pattern: /\bsntry[su]_[A-Za-z0-9+/=_-]{40,512}/, keywords: ['sntrys_', 'sntryu_'] },
  {
    id: 'discord-bot-token',
    pattern: /\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])/,
    accept: generated(4.0),
  },
  {
    id: 'discord-webhook',
    pattern: /discord(?:app)?\.com\/api\/webhooks\/\d+\/(?<secret>[A-Za-z0-9_-]{60,512})/,
    keywords: ['/api/webhooks/'],
  },
  { id: 'telegram-bot-token', pattern: /(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/, keywords: [':AA'] },
  {
    id: 'square-token',
    pattern: /\bsq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,512}/,
    keywords: ['sq0atp-', 'sq0csp-', 'sq0idp-'],
  },
  {
    id: 'square-token',
    pattern: /\bEAAA[A-Za-z0-9_-]{60}(?![A-Za-z0-9_-])/,
    keywords: ['EAAA'],
    accept: generated(4.0),
  },
  { id: 'linear-key', pattern: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/, keywords: ['lin_api_', 'lin_oauth_'] },
  {
    id: 'notion-token',
    pattern: /\b(?:secret_[A-Za-z0-9]{43}|ntn_\d{11}[A-Za-z0-9]{35})\b/,
    keywords: ['secret_', 'ntn_'],
    accept: generated(4.0),
  },
  { id: 'vault-token', pattern: /\bhv[sb]\.[A-Za-z0-9_-]{24,512}/, keywords: ['hvs.', 'hvb.'] },
  { id: 'terraform-token', pattern: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,512}/, keywords: ['.atlasv1.'] },
  { id: 'postman-key', pattern: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/, keywords: ['PMAK-'] },
  { id: 'doppler-token', pattern: /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,512}\b/, keywords: ['dp.'] },
  {
    id: 'supabase-token',
    pattern: /\b(?:sbp_[a-f0-9]{40}\b|sb_secret_[A-Za-z0-9_-]{20,512})/,
    keywords: ['sbp_', 'sb_secret_'],
  },
  { id: 'okta-token', pattern: /\bSSWS[ \t]+(?<secret>[A-Za-z0-9_-]{30,512})/, keywords: ['SSWS'] },
  {
    id: 'grafana-token',
    pattern: /\b(?:glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}\b|glc_[A-Za-z0-9+/]{32,512}={0,2})/,
    keywords: ['glsa_', 'glc_'],
  },
  { id: 'databricks-token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/, keywords: ['dapi'] },
  {
    id: 'age-secret-key',
    pattern: /\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/,
    keywords: ['AGE-SECRET-KEY-1'],
  },
  { id: 'mapbox-secret-token', pattern: /\bsk\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,512}/, keywords: ['sk.eyJ'] },
  { id: 'airtable-token', pattern: /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/, keywords: ['pat'] },
  { id: 'pulumi-token', pattern: /\bpul-[a-f0-9]{40}\b/, keywords: ['pul-'] },
  { id: 'planetscale-token', pattern: /\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,512}/, keywords: ['pscale_'] },
  { id: 'alibaba-access-key-id', pattern: /\bLTAI[A-Za-z0-9]{20}\b/, keywords: ['LTAI'], accept: generated(3.5) },
  { id: 'groq-api-key', pattern: /\bgsk_[A-Za-z0-9]{48,512}\b/, keywords: ['gsk_'] },
  { id: 'replicate-token', pattern: /\br8_[A-Za-z0-9]{37}\b/, keywords: ['r8_'] },
  { id: 'figma-token', pattern: /\bfig[dou]_[A-Za-z0-9_-]{40,512}/, keywords: ['figd_', 'figo_', 'figu_'] },
  { id: 'buildkite-token', pattern: /\bbkua_[a-f0-9]{40}\b/, keywords: ['bkua_'] },
  { id: 'dropbox-token', pattern: /\bsl\.[A-Za-z0-9_-]{130,512}/, keywords: ['sl.'] },
  { id: 'azure-sas-signature', pattern: /[?&;]sig=(?<secret>[A-Za-z0-9%+/=]{30,512})/, keywords: ['sig='] },
  { id: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{10,512}\.eyJ[A-Za-z0-9_-]{10,512}\.[A-Za-z0-9_-]*/, keywords: ['eyJ'] },
];
