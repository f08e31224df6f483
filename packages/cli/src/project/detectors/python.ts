import type { Detection, ProjectDir } from './projectDir';

const MARKERS = ['pyproject.toml', 'requirements.txt', 'setup.py', 'setup.cfg', 'Pipfile', 'uv.lock', 'poetry.lock'];

/** True when the project mentions pytest anywhere a Python project configures its tests. */
async function usesPytest(dir: ProjectDir): Promise<boolean> {
  if (dir.has('pytest.ini') || dir.has('conftest.py')) return true;
  for (const file of [
    'pyproject.toml',
    'requirements.txt',
    'requirements-dev.txt',
    'setup.cfg',
    'tox.ini',
    'Pipfile',
  ]) {
    const text = await dir.read(file);
    if (text && /\bpytest\b/i.test(text)) return true;
  }
  return false;
}

export async function detectPython(dir: ProjectDir): Promise<Detection | null> {
  const evidence = MARKERS.filter((m) => dir.has(m));
  if (evidence.length === 0) return null;
  const pyproject = (await dir.read('pyproject.toml')) ?? '';
  const pytest = await usesPytest(dir);
  const hasPyproject = dir.has('pyproject.toml');
  const tests = pytest ? 'pytest' : 'python -m unittest';
  const found = (tool: string, label: string, testCommand: string, buildCommand: string): Detection => ({
    type: 'python',
    tool,
    label: `Python (${label})`,
    testCommand,
    buildCommand,
    explicit: { test: false, build: false },
    evidence,
  });

  // The lockfile (or the tool's own table in pyproject.toml) names the tool the team uses.
  if (dir.has('uv.lock') || /^\s*\[tool\.uv\b/m.test(pyproject)) {
    return found('uv', 'uv', `uv run ${tests}`, hasPyproject ? 'uv build' : '');
  }
  if (dir.has('poetry.lock') || /^\s*\[tool\.poetry\b/m.test(pyproject)) {
    return found('poetry', 'Poetry', `poetry run ${tests}`, 'poetry build');
  }
  if (dir.has('Pipfile')) return found('pipenv', 'Pipenv', `pipenv run ${tests}`, '');
  const build = hasPyproject || dir.has('setup.py') ? 'python -m build' : '';
  return found('pip', 'pip', pytest ? 'python -m pytest' : tests, build);
}
