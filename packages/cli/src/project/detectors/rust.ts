import type { Detection, ProjectDir } from './projectDir';

export async function detectRust(dir: ProjectDir): Promise<Detection | null> {
  if (!dir.has('Cargo.toml')) return null;
  return {
    type: 'rust',
    tool: 'cargo',
    label: 'Rust (Cargo)',
    testCommand: 'cargo test',
    buildCommand: 'cargo build',
    explicit: { test: false, build: false },
    evidence: dir.has('Cargo.lock') ? ['Cargo.toml', 'Cargo.lock'] : ['Cargo.toml'],
  };
}
