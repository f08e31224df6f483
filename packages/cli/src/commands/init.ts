import { relative } from 'node:path';
import type { InitData, Project, ProjectBody, ProjectType } from '@codevf/protocol';
import { defineCommand } from '../core/command';
import { CodevfError } from '../core/errors';
import { typeName } from '../project/initAnswers';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const size = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1024 * 1024)).toFixed(1)} MB`;
/** Always left out, so not worth a mention in the summary. */
const ROUTINE = new Set(['vcs', 'codevf']);

export default defineCommand({
  description:
    'Sets up CodeVF in this folder: detects the project type, asks for the test and build commands, the AI ' +
    'tools allowed, whether to upload the code, and whether engineers see only the codevf branch; writes ' +
    '.codevf/config.json and registers the project. Run it again to see and change the settings (the same ' +
    'project is updated). Without a terminal, pass --yes (defaults) or every answer as a flag. A snapshot ' +
    'honours .gitignore and .codevfignore and never contains secret files (.env, keys) or large binaries; ' +
    'CODEVF_SNAPSHOT_MAX_BYTES sets its size limit (default 256 MB of files).',
  json: true,
  flags: {
    yes: { type: 'boolean', short: 'y', description: 'Take the default for every question not answered by a flag.' },
    name: { type: 'string', valueName: 'name', description: 'Project name (default: the folder name).' },
    type: {
      type: 'string',
      valueName: 'type',
      description: 'node, python, go, rust, ruby, java, php, dotnet, elixir or other (default: detected).',
    },
    'test-command': { type: 'string', valueName: 'cmd', description: 'Command that runs the tests ("" for none).' },
    'build-command': {
      type: 'string',
      valueName: 'cmd',
      description: 'Command that builds the project ("" for none).',
    },
    tools: {
      type: 'string',
      valueName: 'list',
      description: 'AI tools allowed: claude,gemini,gpt,other (self-hosted or other models) or none.',
    },
    upload: { type: 'boolean', description: 'Upload a snapshot now, and git bundles on codevf sync.' },
    'no-upload': { type: 'boolean', description: 'Upload no code (the default).' },
    'branch-only': { type: 'boolean', description: 'Engineers work on the codevf branch only (the default).' },
    'any-branch': { type: 'boolean', description: 'Engineers may work on whichever branch you sync.' },
  },
  examples: [
    'codevf init',
    'codevf init --yes',
    'codevf init --yes --upload --tools claude --json',
    'codevf init --type python --test-command "uv run pytest" --build-command "" --tools none --no-upload --branch-only',
  ],

  async handler({ flags }, ctx): Promise<InitData> {
    const [
      { parseInitFlags, defaultAnswers, resolveAnswers },
      { detectProject },
      { findProjectRoot, readProjectConfig, writeProjectConfig, configPath },
    ] = await Promise.all([
      import('../project/initAnswers'),
      import('../project/detectProject'),
      import('../project/projectConfig'),
    ]);
    const given = parseInitFlags(flags);
    const cwd = ctx.cwd();
    const root = (await findProjectRoot(cwd)) ?? cwd;
    const existing = await readProjectConfig(root).catch((err: unknown) => {
      if (err instanceof CodevfError && err.code === 'E_CONFIG_INVALID') {
        throw new CodevfError(err.code, err.message, {
          hint: `Fix the file, or delete it and run codevf init again: rm ${configPath(root)}`,
        });
      }
      throw err;
    });

    // Fail on a missing login before asking anything, not after the last question.
    const api = await ctx.api();
    await api.accessToken();

    if (existing) {
      ctx.status(`This folder is already set up for CodeVF (project ${existing.projectId}). Current settings:`);
      ctx.status(settingsText(existing.type ?? 'other', existing));
    }
    const detections = await detectProject(root);
    const prompter =
      ctx.io.canPrompt && !flags.yes
        ? await (await import('../project/inquirerPrompter')).createInquirerPrompter(ctx.io, ctx.signal)
        : null;
    const answers = await resolveAnswers({
      flags: given,
      defaults: defaultAnswers(root, detections, existing),
      detections,
      yes: Boolean(flags.yes),
      prompter,
    });

    const body: ProjectBody = {
      name: answers.name,
      type: answers.type,
      testCommand: answers.testCommand,
      buildCommand: answers.buildCommand,
      allowedTools: answers.allowedTools,
      branchMode: answers.branchOnly ? 'codevf' : 'any',
      uploadsAllowed: answers.upload,
      ...(await remoteUrlOf(root)),
    };
    let project: Project | null = null;
    if (existing) {
      try {
        project = await api.request<Project>('PUT', `/v1/projects/${encodeURIComponent(existing.projectId)}`, {
          json: body,
        });
      } catch (err) {
        if (!(err instanceof CodevfError) || err.code !== 'E_NOT_FOUND') throw err;
        ctx.warn(`Project ${existing.projectId} is not on ${api.baseUrl} (or not yours); registering it again.`);
      }
    }
    const created = project === null;
    project ??= await api.post<Project>('/v1/projects', body);

    const now = new Date(ctx.now()).toISOString();
    await writeProjectConfig(root, {
      ...(existing ?? {}),
      version: '1',
      projectId: project.id,
      name: answers.name,
      type: answers.type,
      allowedTools: answers.allowedTools,
      testCommand: answers.testCommand,
      buildCommand: answers.buildCommand,
      repoUploaded: answers.upload,
      branchMode: body.branchMode,
      createdAt: existing && !created ? existing.createdAt : now,
      updatedAt: now,
    });

    let snapshot: InitData['snapshot'] = null;
    if (answers.upload) {
      const { uploadSnapshot } = await import('../project/uploadSnapshot');
      ctx.status('Uploading a snapshot of the working tree…');
      snapshot = await uploadSnapshot(ctx, root, project.id);
      project = await api.get<Project>(`/v1/projects/${encodeURIComponent(project.id)}`);
    }

    const { needsCacheIgnore, addCacheIgnore, CACHE_IGNORE_LINE } = await import('../project/gitignoreSuggestion');
    const suggested = await needsCacheIgnore(root);
    let updated = false;
    if (suggested && prompter) {
      updated = await prompter.confirm(`Add ${CACHE_IGNORE_LINE} to .gitignore?`, true);
      if (updated) await addCacheIgnore(root);
    }
    return {
      projectId: project.id,
      created,
      root,
      configPath: configPath(root),
      project,
      detected: detections.map((d) => ({ type: d.type, tool: d.tool, label: d.label })),
      snapshot,
      gitignore: { line: CACHE_IGNORE_LINE, suggested, updated },
    };
  },

  human(data, ctx) {
    const { io } = ctx;
    const p = data.project;
    const verb = data.created ? 'Registered' : 'Updated';
    io.out(`${io.style('green', '✔')} ${verb} project ${io.style('bold', p.name)} (${p.id})\n`);
    io.out(settingsText(p.type, { ...p, repoUploaded: p.uploadsAllowed }));
    if (data.snapshot) {
      const s = data.snapshot;
      const reasons = Object.entries(s.excluded.byReason).filter(([reason]) => !ROUTINE.has(reason));
      io.out(
        `  Snapshot         ${size(s.bytes)} uploaded (${plural(s.files, 'file')}, ${size(s.contentBytes)} unpacked)\n`,
      );
      if (reasons.length > 0) {
        const total = reasons.reduce((n, [, count]) => n + count, 0);
        const detail = reasons.map(([reason, n]) => `${n} ${reason}`).join(', ');
        io.out(
          `  Left out         ${plural(total, 'entry', 'entries')} (${detail}); list in .codevf/snapshot-manifest.json\n`,
        );
      }
      if (s.excluded.sensitive.length > 0) io.out(`  Secrets (kept)   ${s.excluded.sensitive.join(', ')}\n`);
    }
    io.out(`  Config           ${relative(ctx.cwd(), data.configPath) || data.configPath}\n`);
    if (data.gitignore.suggested && !data.gitignore.updated) {
      io.err(
        `${io.style('dim', 'Tip:')} add ${data.gitignore.line} to .gitignore: echo '${data.gitignore.line}' >> .gitignore\n`,
      );
    }
    const next =
      p.branchMode === 'codevf' ? 'commit your work on the codevf branch and run codevf sync' : 'run codevf sync';
    io.out(`\nNext: ${next}, then codevf fix "<what is wrong>".\n`);
  },
});

function settingsText(
  type: ProjectType,
  s: { testCommand: string; buildCommand: string; allowedTools: string[]; repoUploaded: boolean; branchMode: string },
): string {
  const none = '(none)';
  return [
    `  Type             ${typeName(type)}`,
    `  Test command     ${s.testCommand || none}`,
    `  Build command    ${s.buildCommand || none}`,
    `  AI tools         ${s.allowedTools.length ? s.allowedTools.join(', ') : none}`,
    `  Code upload      ${s.repoUploaded ? 'yes' : 'no'}`,
    `  Engineer access  ${s.branchMode === 'codevf' ? 'codevf branch only' : 'any synced branch'}`,
    '',
  ].join('\n');
}

/** The repository's remote, without credentials, when the folder is in a git repository. */
async function remoteUrlOf(root: string): Promise<{ repoUrl?: string }> {
  try {
    const { readGitState } = await import('../project/git');
    const state = await readGitState(root);
    return state.remoteUrl ? { repoUrl: state.remoteUrl } : {};
  } catch {
    return {};
  }
}
