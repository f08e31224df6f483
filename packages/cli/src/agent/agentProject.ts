import type { ApiClient } from '../core/api';
import { loadEnvSecrets } from '../safety/loadEnvSecrets';
import { createRedactor, type Redactor } from '../safety/redactor';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../safety/runCommand';
import type { LocalWork } from '../session/localWork';

/**
 * The safety layer of the live session, configured for the project an agent works in: the
 * same confinement, sensitive-file rules, size caps and redactor (`createLocalWork`), so that
 * what an agent shares is checked exactly as what a person approves in `codevf fix`.
 */
export interface AgentProject {
  /** The folder holding `.codevf/`, or the working folder when there is none. */
  root: string;
  projectId?: string;
  local: LocalWork;
  /** Masks secrets: the standard rules, the project's `.env*` values and this login's tokens. */
  redactor: Redactor;
  maxOutputBytes: number;
}

export async function openAgentProject(cwd: string, api: ApiClient): Promise<AgentProject> {
  const [{ findProjectRoot, readProjectConfig }, { createLocalWork }] = await Promise.all([
    import('../project/projectConfig'),
    import('../session/createLocalWork'),
  ]);
  const found = await findProjectRoot(cwd);
  const config = found ? await readProjectConfig(found) : null;
  const root = found ?? cwd;
  const login = await api.currentLogin();
  const tokens = login ? [login.accessToken, login.refreshToken] : [];
  // The login's own tokens are masked too: nothing an agent shares may carry them.
  const redactor = createRedactor({ extraValues: [...(await loadEnvSecrets(root)), ...tokens] });
  const local = await createLocalWork({
    projectRoot: root,
    maxOutputBytes: config?.maxOutputBytes,
    maxFileBytes: config?.maxFileBytes,
    secretsToStrip: tokens,
    redactor,
    // An agent-driven task never opens links on the user's machine.
    openUrl: async () => false,
  });
  return {
    root,
    projectId: config?.projectId,
    local,
    redactor,
    maxOutputBytes: config?.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
  };
}

/** The project id of the folder, without building the safety layer (status, tasks, fix --resume). */
export async function projectIdOf(cwd: string): Promise<string | undefined> {
  const { findProjectRoot, readProjectConfig } = await import('../project/projectConfig');
  const root = await findProjectRoot(cwd);
  return root ? ((await readProjectConfig(root))?.projectId ?? undefined) : undefined;
}
