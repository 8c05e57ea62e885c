import middy from '@middy/core';
import type { Alert } from '../alerts';
import { alertFacts, alertId } from '../alerts';
import type { AuthorizationDetailsSender, WideRolesStore } from '../iam';
import { refreshWideRoles } from '../iam';
import type { AlertOutcome } from '../pipeline';
import { throwIfRetryable } from '../pipeline';
import type { CloudTrailRecord } from '../records';
import type { Logger, Runtime } from '../runtime';
import { createLogger, createRuntime } from '../runtime';
import type { HealthFinding, TrailConnection, TrailContext, TrailSettings } from '../trail';
import {
  applyTrail,
  checkTrailHealth,
  connectTrail,
  customResourceEventSchema,
  customResourceResponse,
  desiredTrail,
  observeTrail,
  planTrail,
  sendCustomResourceResponse,
  trailArn,
  trailFromProperties,
} from '../trail';
import * as z from '../validation';

const scheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
});

export interface TrailHandlerDependencies {
  readonly runtime: Runtime;
  readonly log: Logger;
  readonly connect: () => Promise<TrailContext>;
  /** The trail the health check guards when no custom resource names one (TRAILWATCH_TRAIL_NAME). */
  readonly trailName?: string;
  readonly now?: () => number;
  /** IAM and the state table for `wide_permission_roles: auto` (default: the SDK clients). */
  readonly iam?: AuthorizationDetailsSender;
  readonly wideRolesStore?: WideRolesStore;
}

/** The rule id health alerts carry, so routing and suppressions can name them. */
export const TRAIL_HEALTH_RULE_ID = 'trailwatch-trail-health';

/**
 * A health finding as an alert. Its id holds the trail, the check and the hour, so a check that
 * keeps failing alerts once an hour at most (dedup narrows it further), and a retry never doubles it.
 */
export function healthAlert(
  context: TrailContext,
  trail: string,
  finding: HealthFinding,
  now: number,
): Alert {
  const hour = new Date(now).toISOString().slice(0, 13);
  const record: CloudTrailRecord = {
    eventVersion: '1.09',
    eventTime: new Date(now).toISOString(),
    eventSource: 'trailwatch.health',
    eventName: `TrailHealth:${finding.check}`,
    awsRegion: context.region,
    eventID: `health-${trail}-${finding.check}-${hour}`,
    recipientAccountId: context.accountId,
    userIdentity: { type: 'AWSService', invokedBy: 'trailwatch', accountId: context.accountId },
  };
  const level = finding.severity === 'error' ? 'high' : 'medium';
  return {
    id: alertId('trail-health', trail, finding.check, hour),
    kind: 'detection',
    rule: {
      id: TRAIL_HEALTH_RULE_ID,
      title: `CloudTrail trail ${trail}: ${finding.check}`,
      level,
      tags: ['attack.defense-evasion', 'attack.t1562.008'],
      references: ['https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html'],
      destinations: [],
      runbook:
        'Run `trailwatch trail validate` for the full report and `trailwatch trail apply` to put the trail back as trailwatch.yml describes it.',
    },
    level,
    title: `CloudTrail trail ${trail} is not healthy: ${finding.check}`,
    summary: finding.message,
    facts: alertFacts(record),
    fields: { trail: trailArn(context, trail), check: finding.check },
    consoleUrl: `https://${context.region}.console.aws.amazon.com/cloudtrailv2/home?region=${context.region}#/trails/${encodeURIComponent(trailArn(context, trail))}`,
    record,
  };
}

async function applyFromStack(
  event: z.infer<typeof customResourceEventSchema>,
  deps: TrailHandlerDependencies,
): Promise<void> {
  const log = deps.log.child({ requestType: event.RequestType, trail: event.ResourceProperties.TrailName });
  let outcome: Parameters<typeof customResourceResponse>[1];
  if (event.RequestType === 'Delete') {
    // Audit logs outlive the stack: the trail is kept, and saying so is the whole answer.
    log.info('stack deleted: the trail and its logs are kept');
    outcome = { ok: true, physicalId: event.PhysicalResourceId ?? event.ResourceProperties.TrailName };
  } else {
    try {
      const settings: TrailSettings = trailFromProperties(event, deps.runtime.config.trail);
      const desired = desiredTrail(settings);
      if (!desired.ok) throw new Error(desired.problems.join('; '));
      const context = await deps.connect();
      const plan = planTrail(
        context,
        desired.trail,
        await observeTrail(context, desired.trail.name, desired.trail.bucket, desired.trail.snsTopic),
      );
      const made = await applyTrail(context, plan);
      log.info('trail applied', { calls: made });
      outcome = {
        ok: true,
        physicalId: trailArn(context, desired.trail.name),
        data: { TrailArn: trailArn(context, desired.trail.name) },
      };
    } catch (error) {
      log.error('trail could not be applied', { error: (error as Error).message });
      outcome = { ok: false, reason: (error as Error).message };
    }
  }
  await sendCustomResourceResponse(event.ResponseURL, customResourceResponse(event, outcome));
}

async function checkHealth(deps: TrailHandlerDependencies): Promise<readonly AlertOutcome[]> {
  const name = deps.trailName ?? deps.runtime.config.trail?.name;
  if (!name) throw new Error('no trail to check: set TRAILWATCH_TRAIL_NAME or trail.name in trailwatch.yml');
  const context = await deps.connect();
  const settings = deps.runtime.config.trail;
  const desired = settings ? desiredTrail({ ...settings, name }) : undefined;
  const report = checkTrailHealth(
    context,
    name,
    await observeTrail(context, name, desired?.ok ? desired.trail.bucket : undefined),
    {
      ...(desired?.ok ? { desired: desired.trail } : {}),
      staleAfterMinutes: desired?.ok ? desired.trail.staleAfterMinutes : 60,
      ...(deps.now ? { now: deps.now() } : {}),
    },
  );
  deps.log.info('trail health', { trail: name, healthy: report.healthy, findings: report.findings.length });
  const outcomes: AlertOutcome[] = [];
  for (const finding of report.findings) {
    outcomes.push(
      await deps.runtime.pipeline.handleAlert(
        healthAlert(context, name, finding, deps.now?.() ?? Date.now()),
      ),
    );
  }
  throwIfRetryable(outcomes);
  return outcomes;
}

/**
 * The bootstrap function: as a custom resource it applies the trail on every deploy; on its
 * schedule it checks the trail's health and alerts through the same notifiers and routing.
 */
export function createTrailBootstrapHandler(deps?: Partial<TrailHandlerDependencies>) {
  const runtime = deps?.runtime ?? createRuntime();
  const trailName = deps?.trailName ?? process.env.TRAILWATCH_TRAIL_NAME;
  const full: TrailHandlerDependencies = {
    runtime,
    log: deps?.log ?? createLogger({ function: 'trail' }),
    connect: deps?.connect ?? (() => connectTrail(connectionFromEnv())),
    ...(trailName === undefined ? {} : { trailName }),
    ...(deps?.now ? { now: deps.now } : {}),
    ...(deps?.iam ? { iam: deps.iam } : {}),
    ...(deps?.wideRolesStore ? { wideRolesStore: deps.wideRolesStore } : {}),
  };
  return middy(async (event: unknown) => {
    const resource = customResourceEventSchema.safeParse(event);
    if (resource.success) return applyFromStack(resource.data, full);
    if (scheduledEventSchema.safeParse(event).success) {
      // `wide_permission_roles: auto`: the ingest functions read the list this stores.
      await refreshWideRoles({
        config: full.runtime.config,
        log: full.log,
        now: full.now?.() ?? Date.now(),
        ...(full.iam ? { iam: full.iam } : {}),
        ...(full.wideRolesStore ? { store: full.wideRolesStore } : {}),
      });
      await checkHealth(full);
      return undefined;
    }
    throw new Error(
      'the trail function takes a CloudFormation custom resource event or its scheduled health check',
    );
  });
}

function connectionFromEnv(): TrailConnection {
  return process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {};
}
