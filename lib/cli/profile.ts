import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './io';

/** The environment the SDK clients read their credentials and region from. */
type Environment = Record<string, string | undefined>;

/** Static keys in the environment: the AWS CLI lets `--profile` win over them, and so do we. */
const STATIC_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const SCOPED = ['AWS_PROFILE', 'AWS_REGION', ...STATIC_KEYS] as const;

/** The shared files' locations, as the AWS CLI and SDK find them. */
function sharedFiles(env: Environment): { config: string; credentials: string } {
  const aws = join(homedir(), '.aws');
  return {
    config: env.AWS_CONFIG_FILE ?? join(aws, 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(aws, 'credentials'),
  };
}

/**
 * The top-level keys of one section of an INI file (`[profile NAME]` in config, `[NAME]` in
 * credentials), or undefined when the file or the section is absent. Indented lines belong to a
 * nested setting (`s3 =` then `  max_concurrent_requests = 20`) and are skipped.
 */
export function iniSection(text: string, section: string): Map<string, string> | undefined {
  let inside = false;
  let found: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(trimmed);
    if (header) {
      inside = header[1]?.replace(/\s+/g, ' ') === section;
      if (inside) found ??= new Map();
      continue;
    }
    if (!inside || /^\s/.test(line)) continue;
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(trimmed);
    if (pair?.[1] !== undefined && pair[2] !== undefined) found?.set(pair[1], pair[2]);
  }
  return found;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The profile's settings from the config file, then the credentials file; undefined if neither has it. */
export function profileSettings(name: string, env: Environment): Map<string, string> | undefined {
  const files = sharedFiles(env);
  const config = iniSection(readText(files.config), name === 'default' ? 'default' : `profile ${name}`);
  const credentials = iniSection(readText(files.credentials), name);
  if (config === undefined && credentials === undefined) return undefined;
  return new Map([...(credentials ?? []), ...(config ?? [])]);
}

/**
 * Makes every SDK client the command creates (S3, CloudTrail, IAM, SNS, DynamoDB, Secrets Manager)
 * use the named profile: AWS_PROFILE, which the SDK's default chain reads, with static keys in the
 * environment set aside as the AWS CLI does, and the profile's region when neither `--region` nor
 * AWS_REGION / AWS_DEFAULT_REGION names one. Returns what puts the environment back.
 */
export function useProfile(name: string | undefined, env: Environment = process.env): () => void {
  if (name === undefined) return () => {};
  const settings = profileSettings(name, env);
  const files = sharedFiles(env);
  if (settings === undefined) {
    throw new UsageError(`--profile ${name}: no such profile in ${files.config} or ${files.credentials}`);
  }
  const saved = SCOPED.map((key) => [key, env[key]] as const);
  env.AWS_PROFILE = name;
  for (const key of STATIC_KEYS) delete env[key];
  const region = settings.get('region');
  if (env.AWS_REGION === undefined && env.AWS_DEFAULT_REGION === undefined && region !== undefined) {
    env.AWS_REGION = region;
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
  };
}
