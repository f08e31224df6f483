import type { Detection, ProjectDir } from './projectDir';

export async function detectGo(dir: ProjectDir): Promise<Detection | null> {
  if (!dir.has('go.mod')) return null;
  return {
    type: 'go',
    tool: 'go',
    label: 'Go',
    testCommand: 'go test ./...',
    buildCommand: 'go build ./...',
    explicit: { test: false, build: false },
    evidence: dir.has('go.sum') ? ['go.mod', 'go.sum'] : ['go.mod'],
  };
}
