import type { Detection, ProjectDir } from './projectDir';

export async function detectElixir(dir: ProjectDir): Promise<Detection | null> {
  if (!dir.has('mix.exs')) return null;
  return {
    type: 'elixir',
    tool: 'mix',
    label: 'Elixir (Mix)',
    testCommand: 'mix test',
    buildCommand: 'mix compile',
    explicit: { test: false, build: false },
    evidence: dir.has('mix.lock') ? ['mix.exs', 'mix.lock'] : ['mix.exs'],
  };
}
