import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A problem an operator must fix; its message is one line that names the problem and the way out. */
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}

function javaMajor(javaBin: string): number | undefined {
  // The JVM prints its settings on stderr.
  const result = spawnSync(javaBin, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  if (result.error) return undefined;
  return parseJavaMajor(`${result.stdout}${result.stderr}`);
}

function parseJavaMajor(text: string): number | undefined {
  const match = /java\.specification\.version = (\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface JavaRuntime {
  bin: string;
  major: number;
}

/** Java for the Kafka broker (17+): JAVA_HOME first, then `java` on PATH. */
export function findJava(minMajor: number): JavaRuntime | undefined {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  const fromPath = onPath('java');
  if (fromPath) candidates.push(fromPath);
  for (const bin of candidates) {
    if (!existsSync(bin)) continue;
    const major = javaMajor(bin);
    if (major !== undefined && major >= minMajor) return { bin, major };
  }
  return undefined;
}

/**
 * A Java 21+ runtime for the Apicurio registry: YECAI_JAVA21_HOME, then the default Java, then any JDK under
 * /usr/lib/jvm whose `release` file says 21 or newer (Debian machines here ship Temurin 25 beside Java 17).
 */
export function findJava21(): JavaRuntime | undefined {
  const explicit = process.env.YECAI_JAVA21_HOME;
  if (explicit) {
    const bin = join(explicit, 'bin', 'java');
    const major = existsSync(bin) ? javaMajor(bin) : undefined;
    return major !== undefined && major >= 21 ? { bin, major } : undefined;
  }
  const fallback = findJava(21);
  if (fallback) return fallback;
  const jvmRoot = '/usr/lib/jvm';
  if (!existsSync(jvmRoot)) return undefined;
  const found: JavaRuntime[] = [];
  for (const entry of readdirSync(jvmRoot)) {
    const release = join(jvmRoot, entry, 'release');
    const bin = join(jvmRoot, entry, 'bin', 'java');
    if (!existsSync(release) || !existsSync(bin)) continue;
    const match = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
    const major = match ? Number(match[1]) : 0;
    if (major >= 21) found.push({ bin, major });
  }
  found.sort((a, b) => b.major - a.major);
  return found[0];
}

export function requireJava(): JavaRuntime {
  const java = findJava(17);
  if (!java) {
    throw new StackError(
      'Java 17+ not found (needed to run Kafka) — install a JDK (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME',
    );
  }
  return java;
}

export function requireTool(command: 'mvn' | 'go', purpose: string): string {
  const bin = onPath(command);
  if (!bin) {
    const name = command === 'mvn' ? 'Maven (mvn)' : 'Go (go)';
    throw new StackError(`${name} not found (needed to ${purpose}) — install it or put it on PATH`);
  }
  return bin;
}
