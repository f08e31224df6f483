import { afterEach, describe, expect, it } from 'vitest';
import { detectProject } from '../../src/project/detectProject';
import { cleanup, tempDir, writeTree } from './gitFixture';

const dirs: string[] = [];
function fixture(files: Record<string, string>): string {
  const d = tempDir('codevf-detect-');
  dirs.push(d);
  writeTree(d, files);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) cleanup(d);
});

const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'x', scripts, ...extra });

interface Case {
  name: string;
  files: Record<string, string>;
  type: string;
  tool: string;
  test: string;
  build: string;
}

const CASES: Case[] = [
  {
    name: 'npm',
    files: { 'package.json': pkg({ test: 'vitest run', build: 'tsc' }), 'package-lock.json': '{}' },
    type: 'node',
    tool: 'npm',
    test: 'npm test',
    build: 'npm run build',
  },
  {
    name: 'pnpm',
    files: { 'package.json': pkg({ test: 'jest', build: 'vite build' }), 'pnpm-lock.yaml': '' },
    type: 'node',
    tool: 'pnpm',
    test: 'pnpm test',
    build: 'pnpm run build',
  },
  {
    name: 'yarn',
    files: { 'package.json': pkg({ test: 'jest' }), 'yarn.lock': '' },
    type: 'node',
    tool: 'yarn',
    test: 'yarn test',
    build: '',
  },
  {
    name: 'bun (bun.lock)',
    files: { 'package.json': pkg({ test: 'bun test', build: 'bun build x' }), 'bun.lock': '' },
    type: 'node',
    tool: 'bun',
    test: 'bun run test',
    build: 'bun run build',
  },
  {
    name: 'bun (bun.lockb)',
    files: { 'package.json': pkg({}), 'bun.lockb': '' },
    type: 'node',
    tool: 'bun',
    test: '',
    build: '',
  },
  {
    name: 'packageManager field beats lockfile',
    files: { 'package.json': pkg({ test: 't' }, { packageManager: 'pnpm@9.1.0' }), 'package-lock.json': '{}' },
    type: 'node',
    tool: 'pnpm',
    test: 'pnpm test',
    build: '',
  },
  {
    name: 'npm init placeholder test script',
    files: { 'package.json': pkg({ test: 'echo "Error: no test specified" && exit 1' }) },
    type: 'node',
    tool: 'npm',
    test: '',
    build: '',
  },
  { name: 'corrupt package.json', files: { 'package.json': '{ nope' }, type: 'node', tool: 'npm', test: '', build: '' },
  {
    name: 'pip + pytest',
    files: { 'requirements.txt': 'flask\npytest==8\n' },
    type: 'python',
    tool: 'pip',
    test: 'python -m pytest',
    build: '',
  },
  {
    name: 'pip without pytest',
    files: { 'setup.py': 'from setuptools import setup\n' },
    type: 'python',
    tool: 'pip',
    test: 'python -m unittest',
    build: 'python -m build',
  },
  {
    name: 'poetry',
    files: { 'pyproject.toml': '[tool.poetry]\nname = "x"\n[tool.pytest.ini_options]\n', 'poetry.lock': '' },
    type: 'python',
    tool: 'poetry',
    test: 'poetry run pytest',
    build: 'poetry build',
  },
  {
    name: 'poetry (pyproject only)',
    files: { 'pyproject.toml': '[tool.poetry]\nname = "x"\n' },
    type: 'python',
    tool: 'poetry',
    test: 'poetry run python -m unittest',
    build: 'poetry build',
  },
  {
    name: 'uv',
    files: { 'pyproject.toml': '[project]\nname = "x"\n[dependency-groups]\ndev = ["pytest>=8"]\n', 'uv.lock': '' },
    type: 'python',
    tool: 'uv',
    test: 'uv run pytest',
    build: 'uv build',
  },
  {
    name: 'go',
    files: { 'go.mod': 'module example.com/x\n' },
    type: 'go',
    tool: 'go',
    test: 'go test ./...',
    build: 'go build ./...',
  },
  {
    name: 'rust',
    files: { 'Cargo.toml': '[package]\nname = "x"\n' },
    type: 'rust',
    tool: 'cargo',
    test: 'cargo test',
    build: 'cargo build',
  },
  {
    name: 'ruby rspec',
    files: { Gemfile: "gem 'rspec'\n", '.rspec': '' },
    type: 'ruby',
    tool: 'bundler',
    test: 'bundle exec rspec',
    build: '',
  },
  {
    name: 'ruby rails',
    files: { Gemfile: "gem 'rails'\n", 'bin/rails': '' },
    type: 'ruby',
    tool: 'bundler',
    test: 'bin/rails test',
    build: '',
  },
  {
    name: 'ruby gem with Rakefile',
    files: { 'x.gemspec': '', Rakefile: '' },
    type: 'ruby',
    tool: 'bundler',
    test: 'bundle exec rake test',
    build: 'gem build x.gemspec',
  },
  {
    name: 'maven',
    files: { 'pom.xml': '<project/>' },
    type: 'java',
    tool: 'maven',
    test: 'mvn test',
    build: 'mvn package -DskipTests',
  },
  {
    name: 'maven wrapper',
    files: { 'pom.xml': '<project/>', mvnw: '' },
    type: 'java',
    tool: 'maven',
    test: './mvnw test',
    build: './mvnw package -DskipTests',
  },
  {
    name: 'gradle kotlin dsl with wrapper',
    files: { 'build.gradle.kts': '', gradlew: '' },
    type: 'java',
    tool: 'gradle',
    test: './gradlew test',
    build: './gradlew build -x test',
  },
  {
    name: 'gradle',
    files: { 'build.gradle': '' },
    type: 'java',
    tool: 'gradle',
    test: 'gradle test',
    build: 'gradle build -x test',
  },
  {
    name: 'php composer script',
    files: { 'composer.json': JSON.stringify({ scripts: { test: ['phpunit'] } }) },
    type: 'php',
    tool: 'composer',
    test: 'composer test',
    build: '',
  },
  {
    name: 'php phpunit',
    files: { 'composer.json': '{}', 'phpunit.xml.dist': '' },
    type: 'php',
    tool: 'composer',
    test: 'vendor/bin/phpunit',
    build: '',
  },
  {
    name: '.NET solution',
    files: { 'App.sln': '', 'global.json': '{}' },
    type: 'dotnet',
    tool: 'dotnet',
    test: 'dotnet test',
    build: 'dotnet build',
  },
  {
    name: '.NET project',
    files: { 'App.csproj': '<Project/>' },
    type: 'dotnet',
    tool: 'dotnet',
    test: 'dotnet test',
    build: 'dotnet build',
  },
  {
    name: 'elixir',
    files: { 'mix.exs': 'defmodule X.MixProject do\nend\n' },
    type: 'elixir',
    tool: 'mix',
    test: 'mix test',
    build: 'mix compile',
  },
  {
    name: 'Makefile only',
    files: { Makefile: '.PHONY: test\nCC := gcc\nall: build\nbuild: main.o\n\tcc -o x\ntest:\n\t./run\n%.o: %.c\n' },
    type: 'other',
    tool: 'make',
    test: 'make test',
    build: 'make build',
  },
];

describe('detectProject', () => {
  it.each(CASES)('detects $name', async ({ files, type, tool, test, build }) => {
    const [first] = await detectProject(fixture(files));
    expect(first).toMatchObject({ type, tool, testCommand: test, buildCommand: build });
    expect(first?.evidence.length).toBeGreaterThan(0);
    for (const file of first?.evidence ?? []) expect(Object.keys(files)).toContain(file);
  });

  it('finds nothing in an empty folder, a folder of plain files, or a Makefile without known targets', async () => {
    expect(await detectProject(fixture({}))).toEqual([]);
    expect(await detectProject(fixture({ 'notes.txt': 'hi', 'global.json': '{}' }))).toEqual([]);
    expect(await detectProject(fixture({ Makefile: 'deploy:\n\trsync x y\n' }))).toEqual([]);
  });

  it('lets Makefile targets replace conventional commands but not package.json scripts', async () => {
    const [go] = await detectProject(fixture({ 'go.mod': 'module x\n', Makefile: 'test:\n\tgo test -race ./...\n' }));
    expect(go).toMatchObject({ type: 'go', testCommand: 'make test', buildCommand: 'go build ./...' });
    expect(go?.evidence).toContain('Makefile');

    const [node] = await detectProject(
      fixture({ 'package.json': pkg({ test: 'vitest' }), Makefile: 'test:\n\tx\nbuild:\n\ty\n' }),
    );
    expect(node).toMatchObject({ testCommand: 'npm test', buildCommand: 'make build' });
  });

  it('lists every ecosystem of a mixed repository, the non-Node one first', async () => {
    const found = await detectProject(
      fixture({ 'package.json': pkg({ test: 'jest' }), Gemfile: "gem 'rails'\n", 'bin/rails': '' }),
    );
    expect(found.map((d) => d.type)).toEqual(['ruby', 'node']);
  });
});
