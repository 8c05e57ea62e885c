/**
 * `serverless package`, offline, as a user's clean clone would run it, in a scratch copy of the
 * service: the repository's own trailwatch.yml (if a developer has one) does not leak in, the
 * test can package a trailwatch.yml of its own, and nothing is written into the working tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Copied: osls only takes a real serverless.yml in the directory it runs in. */
const COPIED = ['serverless.yml', 'package.json'];
/** Linked: what the build and the package patterns read. */
const LINKED = ['tsconfig.json', 'deploy', 'scripts', 'functions', 'lib', 'rules', 'dist', 'node_modules'];

export interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
}

export interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Packaged {
  readonly template: Template;
  /** Where the zips and the template are. */
  readonly dir: string;
  readonly templateFile: string;
}

export function packageStack(params: readonly string[], config?: string): Packaged {
  const service = mkdtempSync(join(tmpdir(), 'trailwatch-service-'));
  for (const name of COPIED) copyFileSync(join(ROOT, name), join(service, name));
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(service, name));
  if (config !== undefined) writeFileSync(join(service, 'trailwatch.yml'), config);
  const dir = join(service, 'out');
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'package',
      '--stage',
      'test',
      '--package',
      dir,
      ...params.map((p) => `--param=${p}`),
    ],
    {
      cwd: service,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: 'pipe',
    },
  );
  const templateFile = join(dir, 'cloudformation-template-update-stack.json');
  return { template: JSON.parse(readFileSync(templateFile, 'utf8')) as Template, dir, templateFile };
}

export type Statement = Record<string, unknown>;

function isStatement(value: unknown): value is Statement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The statements of a role's inline policies (or of a managed policy's document). */
export function statementsOf(properties: Record<string, unknown> | undefined): Statement[] {
  const documents: unknown[] = [];
  const policies = properties?.Policies;
  if (Array.isArray(policies))
    for (const policy of policies) if (isStatement(policy)) documents.push(policy.PolicyDocument);
  if (properties?.PolicyDocument !== undefined) documents.push(properties.PolicyDocument);
  return documents.flatMap((document) => {
    const statements = isStatement(document) ? document.Statement : undefined;
    return Array.isArray(statements) ? statements.filter(isStatement) : [];
  });
}

/** cfn-lint in the machine's Python, or undefined when it is not installed. */
export const CFN_LINT = process.env.CFN_LINT ?? 'cfn-lint';
export const cfnLintVersion: string | undefined = (() => {
  const probe = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
})();

/** cfn-lint's findings (errors and warnings; informational ones are not asked for) and exit code. */
export function cfnLint(templateFile: string): { status: number | null; output: string } {
  const run = spawnSync(CFN_LINT, ['--format', 'parseable', '--', templateFile], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** moto's EventBridge pattern matcher (Python), an implementation of the matching rules not written here. */
export const motoEventPatternAvailable =
  spawnSync('python3', ['-c', 'from moto.events.models import EventPattern'], { stdio: 'ignore' }).status ===
  0;

export function eventPatternMatches(pattern: unknown, events: readonly unknown[]): boolean[] {
  const script = [
    'import json, sys',
    'from moto.events.models import EventPattern',
    'data = json.load(sys.stdin)',
    'pattern = EventPattern.load(json.dumps(data["pattern"]))',
    'print(json.dumps([pattern.matches_event(e) for e in data["events"]]))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], {
    input: JSON.stringify({ pattern, events }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`moto's EventPattern failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as boolean[];
}
