import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFIERS, SecretResolver } from '../../lib/notify';
import { defaultNotifierContext } from '../../lib/pipeline';
import { INJECTIONS, injectedAlert } from '../factories/alerts';
import type { Moto } from '../helpers/moto';
import { MOTO_CREDENTIALS, MOTO_SKIP_MESSAGE, motoAvailable, startMoto } from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

describe.skipIf(!motoAvailable)(
  'email through SNS, read back from an SQS subscription on moto_server',
  () => {
    let moto: Moto;
    let sns: SNSClient;
    let sqs: SQSClient;
    let topicArn: string;
    let queueUrl: string;

    beforeAll(async () => {
      moto = await startMoto();
      const settings = { region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
      sns = new SNSClient(settings);
      sqs = new SQSClient(settings);
      topicArn = (await sns.send(new CreateTopicCommand({ Name: 'trailwatch-alerts' }))).TopicArn ?? '';
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-inbox' }))).QueueUrl ?? '';
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: attributes.Attributes?.QueueArn ?? '',
        }),
      );
    }, 60_000);

    afterAll(async () => {
      sns?.destroy();
      sqs?.destroy();
      await moto?.stop();
    });

    it('publishes a readable email with an SNS-safe subject', async () => {
      const context = defaultNotifierContext({ secrets: new SecretResolver({ env: {} }), sns: () => sns });
      const email = NOTIFIERS.get('email')?.create(
        'security',
        { type: 'email', topic_arn: topicArn },
        context,
      );
      const alert = injectedAlert(INJECTIONS[4]);
      expect(await email?.send(alert)).toEqual({ ok: true, attempts: 1 });
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }),
      );
      const envelope = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as {
        Subject: string;
        Message: string;
      };
      expect(envelope.Subject).toBe('[trailwatch] HIGH Access key created');
      expect(envelope.Message).toContain(
        'View in CloudTrail: https://us-east-1.console.aws.amazon.com/cloudtrailv2/',
      );
      expect(envelope.Message).toMatch(/^Source IP:\s+line one Subject: forged line three/m);
    });

    it('reports a missing topic without throwing', async () => {
      const context = defaultNotifierContext({ sns: () => sns });
      const email = NOTIFIERS.get('email')?.create(
        'security',
        { type: 'email', topic_arn: 'arn:aws:sns:us-east-1:123456789012:nope' },
        context,
      );
      expect(await email?.send(injectedAlert('x'))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^SNS arn:aws:sns:us-east-1:123456789012:nope: NotFound/),
      });
    });
  },
);
