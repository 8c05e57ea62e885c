import type { Fields } from './read';
import { child, flag, text } from './read';
import type { ActorInterface } from './types';

/**
 * How a call was made, from the fields CloudTrail writes about its client.
 * `sessionCredentialFromConsole` marks calls made with console session credentials
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html);
 * sign-in events come from `signin.amazonaws.com`; console back ends sign with agents such as
 * `console.amazonaws.com`, `[S3Console/0.4, …]` or `[AWS Console S3, …]`; the AWS CLI with `aws-cli/…`;
 * SDKs with `aws-sdk-<language>/…`, `Boto3/…`, `Botocore/…`; services with `<service>.amazonaws.com`.
 */
export function interfaceOf(record: Fields): ActorInterface {
  if (flag(record, 'sessionCredentialFromConsole')) return 'console';
  if (text(record, 'eventSource') === SIGNIN_SOURCE) return 'console';
  const identity = child(record, 'userIdentity');
  const invokedBy = text(identity, 'invokedBy');
  if (invokedBy === SIGNIN_SOURCE) return 'console';
  const agent = text(record, 'userAgent') ?? '';
  if (CONSOLE_AGENT.test(agent)) return 'console';
  if (CLI_AGENT.test(agent)) return 'cli';
  if (SDK_AGENT.test(agent)) return 'sdk';
  if (text(identity, 'type') === 'AWSService' || invokedBy !== undefined) return 'service';
  if (SERVICE_AGENT.test(agent) || agent === 'AWS Internal') return 'service';
  return 'unknown';
}

export const SIGNIN_SOURCE = 'signin.amazonaws.com';

/** Browser agents (sign-in), the console's own agents, and console back ends' bracketed agents. */
const CONSOLE_AGENT =
  /^(?:Mozilla\/|console(?:\.[a-z0-9-]+)*\.amazonaws\.com$|signin\.amazonaws\.com$|\[[^\]]*Console)/;
/** The AWS CLI, v1 and v2, also when a console back end wraps the agent in brackets. */
const CLI_AGENT = /(?:^|[\s[])aws-cli\//;
/** AWS SDKs and the tools built on them (PowerShell, Terraform's APN agent). */
const SDK_AGENT = /aws-sdk-|boto3\/|botocore\/|AWSPowerShell|aws-toolkit|APN\/1\.0/i;
/** A service calling on its own: its endpoint name is the agent. */
const SERVICE_AGENT = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com$/;
