import type { Detection, ProjectDir } from './projectDir';

const PROJECT_FILE = /\.(sln|slnx|csproj|fsproj|vbproj)$/i;

export async function detectDotnet(dir: ProjectDir): Promise<Detection | null> {
  const files = [...dir.names].filter((n) => PROJECT_FILE.test(n)).sort();
  if (files.length === 0) return null;
  return {
    type: 'dotnet',
    tool: 'dotnet',
    label: '.NET',
    testCommand: 'dotnet test',
    buildCommand: 'dotnet build',
    explicit: { test: false, build: false },
    evidence: files,
  };
}
