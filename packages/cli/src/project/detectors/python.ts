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

  // The lockfile (or the tool's own table in pyproject.toml) names the tool the team uses.
  if (dir.has('uv.lock') || /^\s*\[tool\.uv\b/m.test(pyproject)) {
    return {
      type: 'python',
      tool: 'uv',
      label: 'Python (uv)',
      testCommand: pytest ? 'uv run pytest' : 'uv run python -m unittest',
      buildCommand: hasPyproject ? 'uv build' : '',
      explicit: { test: false, build: false },
      evidence,
    };
  }
  if (dir.has('poetry.lock') || /^\s*\[tool\.poetry\b/m.test(pyproject)) {
    return {
      type: 'python',
      tool: 'poetry',
      label: 'Python (Poetry)',
      testCommand: pytest ? 'poetry run pytest' : 'poetry run python -m unittest',
      buildCommand: 'poetry build',
      explicit: { test: false, build: false },
      evidence,
    };
  }
  if (dir.has('Pipfile')) {
    return {
      type: 'python',
      tool: 'pipenv',
      label: 'Python (Pipenv)',
      testCommand: pytest ? 'pipenv run pytest' : 'pipenv run python -m unittest',
      buildCommand: '',
      explicit: { test: false, build: false },
      evidence,
    };
  }
  return {
    type: 'python',
    tool: 'pip',
    label: 'Python (pip)',
    testCommand: pytest ? 'python -m pytest' : 'python -m unittest',
    buildCommand: hasPyproject || dir.has('setup.py') ? 'python -m build' : '',
    explicit: { test: false, build: false },
    evidence,
  };
}
