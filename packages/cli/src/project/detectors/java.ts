import type { Detection, ProjectDir } from './projectDir';

const GRADLE_FILES = ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'];

/** Maven or Gradle; the project's wrapper script is preferred because it pins the tool's version. */
export async function detectJava(dir: ProjectDir): Promise<Detection | null> {
  if (dir.has('pom.xml')) {
    const mvn = dir.has('mvnw') ? './mvnw' : 'mvn';
    return {
      type: 'java',
      tool: 'maven',
      label: 'Java (Maven)',
      testCommand: `${mvn} test`,
      buildCommand: `${mvn} package -DskipTests`,
      explicit: { test: false, build: false },
      evidence: ['pom.xml'],
    };
  }
  const gradleFiles = GRADLE_FILES.filter((f) => dir.has(f));
  if (gradleFiles.length === 0) return null;
  const gradle = dir.has('gradlew') ? './gradlew' : 'gradle';
  return {
    type: 'java',
    tool: 'gradle',
    label: 'Java/Kotlin (Gradle)',
    testCommand: `${gradle} test`,
    buildCommand: `${gradle} build -x test`,
    explicit: { test: false, build: false },
    evidence: gradleFiles,
  };
}
