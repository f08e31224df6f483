import type { Detection, ProjectDir } from './projectDir';

export async function detectRuby(dir: ProjectDir): Promise<Detection | null> {
  const gemspec = [...dir.names].find((n) => n.endsWith('.gemspec'));
  if (!dir.has('Gemfile') && !gemspec) return null;
  const evidence = [dir.has('Gemfile') ? 'Gemfile' : gemspec].filter((e): e is string => Boolean(e));
  const gemfile = (await dir.read('Gemfile')) ?? '';
  let testCommand = '';
  if (dir.has('.rspec') || dir.has('spec') || /['"]rspec(-rails)?['"]/.test(gemfile)) {
    testCommand = 'bundle exec rspec';
  } else if (dir.has('bin') && /['"]rails['"]/.test(gemfile)) {
    testCommand = 'bin/rails test';
  } else if (dir.has('Rakefile')) {
    testCommand = 'bundle exec rake test';
  }
  return {
    type: 'ruby',
    tool: 'bundler',
    label: 'Ruby (Bundler)',
    testCommand,
    buildCommand: gemspec ? `gem build ${gemspec}` : '',
    explicit: { test: false, build: false },
    evidence,
  };
}
