import { type Detection, type ProjectDir, stringRecord } from './projectDir';

export async function detectPhp(dir: ProjectDir): Promise<Detection | null> {
  if (!dir.has('composer.json')) return null;
  const composer = (await dir.readJsonObject('composer.json')) ?? {};
  const scripts = stringRecord(composer.scripts);
  // Composer scripts may also be arrays of commands; either way `composer test` runs them.
  const hasTestScript = typeof composer.scripts === 'object' && composer.scripts !== null && 'test' in composer.scripts;
  let testCommand = '';
  if (hasTestScript || scripts.test) testCommand = 'composer test';
  else if (dir.has('phpunit.xml') || dir.has('phpunit.xml.dist')) testCommand = 'vendor/bin/phpunit';
  else if (dir.has('artisan')) testCommand = 'php artisan test';
  return {
    type: 'php',
    tool: 'composer',
    label: 'PHP (Composer)',
    testCommand,
    buildCommand: '',
    explicit: { test: hasTestScript, build: false },
    evidence: dir.has('composer.lock') ? ['composer.json', 'composer.lock'] : ['composer.json'],
  };
}
