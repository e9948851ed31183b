import { literal, quoteIdentifier } from './databricks-dialect.js';

export const STAGING_CREDENTIAL_MODES = ['forward', 'credential', 'external_location'] as const;
export type StagingCredentialMode = (typeof STAGING_CREDENTIAL_MODES)[number];

/** Short-lived AWS keys that COPY INTO uses to read one package's files. */
export interface ForwardedKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** How COPY INTO is allowed to read the staged files: the `WITH (CREDENTIAL ...)` clause. */
export interface StagingCredentials {
  readonly mode: StagingCredentialMode;
  /** The clause for reading `folder`, or '' when an external location covers it. */
  clause(folder: string): string;
}

/** A named Unity Catalog storage credential. */
export function namedCredential(name: string): StagingCredentials {
  return { mode: 'credential', clause: () => `WITH (CREDENTIAL ${quoteIdentifier(name)})` };
}

/** No clause: a Unity Catalog external location covers the staging prefix. */
export const externalLocation: StagingCredentials = { mode: 'external_location', clause: () => '' };

/** Forwarded temporary keys; the SQL that carries them is redacted wherever it is logged or raised. */
export function forwardedKeys(keys: ForwardedKeys): StagingCredentials {
  return {
    mode: 'forward',
    clause: () =>
      `WITH (CREDENTIAL (AWS_ACCESS_KEY = ${literal(keys.accessKeyId)}, AWS_SECRET_KEY = ${literal(keys.secretAccessKey)}, AWS_SESSION_TOKEN = ${literal(keys.sessionToken)}))`,
  };
}

/** Removes forwarded keys from SQL or messages before they reach a log line or an error. */
export function redactCredentials(text: string): string {
  return text.replace(/(AWS_(?:ACCESS_KEY|SECRET_KEY|SESSION_TOKEN)\s*=\s*)'(?:[^'\\]|\\.)*'/gi, "$1'***'");
}
