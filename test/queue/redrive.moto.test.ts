/**
 * `trailwatch redrive` on moto_server, which has no StartMessageMoveTask (it answers the call with
 * an HTML error page): the receive, send, delete path moves every dead letter back once, with its
 * attributes, and a letter the queue refuses stays in the dead-letter queue. The move-task path is
 * checked against the SDK mock, as no endpoint here has it.
 */
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveTaskUnavailable, RedriveError, redrive } from '../../lib/queue';
import { runCli } from '../helpers/cli';
import type { Moto } from '../helpers/moto';
import {
  MOTO_CREDENTIALS,
  MOTO_SKIP_MESSAGE,
  motoAvailable,
  startMoto,
  useMotoCredentials,
} from '../helpers/moto';

if (!motoAvailable) console.warn(MOTO_SKIP_MESSAGE);

const LETTERS = 23;

describe.skipIf(!motoAvailable)('redrive on moto_server (no message move task there)', () => {
  let moto: Moto;
  let sqs: SQSClient;
  let restoreCredentials: () => void = () => undefined;
  let queues = 0;

  beforeAll(async () => {
    moto = await startMoto();
    restoreCredentials = useMotoCredentials();
    sqs = new SQSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  });
  afterAll(async () => {
    sqs?.destroy();
    restoreCredentials();
    await moto?.stop();
  });

  const attribute = async (
    url: string,
    name: 'QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible',
  ) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }))).Attributes?.[
      name
    ] ?? '';

  /** A queue whose redrive policy sends to a dead-letter queue after one receive, and letters in it. */
  async function queueWithDeadLetters(): Promise<{ queue: string; dlq: string; dlqArn: string }> {
    const n = ++queues;
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `ingest-dlq-${n}` }))).QueueUrl ?? '';
    const dlqArn = await attribute(dlq, 'QueueArn');
    const queue =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: `ingest-${n}`,
            Attributes: {
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
            },
          }),
        )
      ).QueueUrl ?? '';
    // Letters that got there as SQS moves them: received once, not deleted, received again.
    for (let i = 0; i < 3; i++)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue,
          MessageBody: JSON.stringify({ Records: [{ n: i }] }),
          MessageAttributes: { origin: { DataType: 'String', StringValue: `via-redrive-${i}` } },
        }),
      );
    for (let round = 0; round < 2; round++)
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
    // And more put there directly, so that several batches are needed.
    for (let i = 3; i < LETTERS; i++)
      await sqs.send(
        new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify({ Records: [{ n: i }] }) }),
      );
    return { queue, dlq, dlqArn };
  }

  async function drain(url: string): Promise<{ body: string; origin: string | undefined }[]> {
    const out: { body: string; origin: string | undefined }[] = [];
    for (;;) {
      const answer = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 30,
        }),
      );
      if (!answer.Messages?.length) return out;
      for (const m of answer.Messages)
        out.push({ body: m.Body ?? '', origin: m.MessageAttributes?.origin?.StringValue });
    }
  }

  const expectedBodies = Array.from({ length: LETTERS }, (_, n) =>
    JSON.stringify({ Records: [{ n }] }),
  ).sort();

  it('--dry-run counts the letters and names both queues; nothing moves', async () => {
    const { dlq, dlqArn } = await queueWithDeadLetters();
    expect(await attribute(dlq, 'ApproximateNumberOfMessages')).toBe(String(LETTERS));
    const run = await runCli([
      'redrive',
      '--dlq',
      dlqArn,
      '--dry-run',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `${dlqArn}: ${LETTERS} message\\(s\\) waiting; would move them to arn:aws:sqs:us-east-1:\\d{12}:ingest-\\d+ \\(dry run: nothing moved\\)`,
      ),
    );
    expect(await attribute(dlq, 'ApproximateNumberOfMessages')).toBe(String(LETTERS));
  });

  it('moves every letter back once, with its attributes, to the queue whose redrive policy names the DLQ', async () => {
    const { queue, dlq } = await queueWithDeadLetters();
    const run = await runCli([
      'redrive',
      '--dlq',
      dlq,
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `this endpoint has no message move task: moved ${LETTERS} by receive, send, delete`,
    );
    const back = await drain(queue);
    expect(back.map((m) => m.body).sort()).toEqual(expectedBodies);
    expect(
      back
        .filter((m) => m.origin?.startsWith('via-redrive-'))
        .map((m) => m.origin)
        .sort(),
    ).toEqual(['via-redrive-0', 'via-redrive-1', 'via-redrive-2']);
    expect(await attribute(dlq, 'ApproximateNumberOfMessages')).toBe('0');
    expect(await attribute(dlq, 'ApproximateNumberOfMessagesNotVisible')).toBe('0');
  });

  it('leaves a letter the queue refuses in the dead-letter queue, deletes only what was sent, and says so', async () => {
    const { queue, dlq } = await queueWithDeadLetters();
    const refusing = new SQSClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    let refused = 0;
    refusing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand' || refused > 0) return next(args);
        // The queue refuses the first entry of the first batch (as SQS does a message over its limits).
        const input = args.input as { Entries: SendMessageBatchRequestEntry[] };
        const [first, ...rest] = input.Entries;
        input.Entries = rest;
        refused++;
        const result = await next(args);
        const output = result.output as { Failed?: unknown[] };
        output.Failed = [
          ...(output.Failed ?? []),
          { Id: first?.Id, Code: 'InvalidMessageContents', SenderFault: true },
        ];
        return result;
      },
      { step: 'initialize', name: 'refuseOne' },
    );
    const outcome = await redrive(refusing, { deadLetters: dlq, queue, dryRun: false });
    refusing.destroy();
    expect(outcome.path).toBe('receive-send-delete');
    expect(outcome.moved).toBe(LETTERS - 1);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]).toMatch(/InvalidMessageContents/);
    const back = await drain(queue);
    expect(back).toHaveLength(LETTERS - 1);
    expect(new Set(back.map((m) => m.body)).size).toBe(LETTERS - 1);
    // The refused letter is still there, hidden for the redrive's visibility timeout.
    expect(
      Number(await attribute(dlq, 'ApproximateNumberOfMessages')) +
        Number(await attribute(dlq, 'ApproximateNumberOfMessagesNotVisible')),
    ).toBe(1);
  });

  it('refuses a DLQ no queue names, and a rate SQS would not take', async () => {
    const lonely = (await sqs.send(new CreateQueueCommand({ QueueName: 'lonely-dlq' }))).QueueUrl ?? '';
    await expect(redrive(sqs, { deadLetters: lonely, dryRun: true })).rejects.toThrow(
      /no queue names it as its dead-letter queue; name the one to move to with --queue/,
    );
    await expect(redrive(sqs, { deadLetters: lonely, dryRun: true, maxPerSecond: 501 })).rejects.toThrow(
      RedriveError,
    );
    // Every wrong rate gets the sentence the other number flags give, naming what was typed.
    for (const rate of ['0', '501', 'fast', '2.5', '']) {
      const run = await runCli([
        'redrive',
        '--dlq',
        lonely,
        '--max-per-second',
        rate,
        '--endpoint-url',
        moto.endpoint,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--max-per-second takes a whole number from 1 to 500; got ${rate}`);
    }
  }, 60_000);
});

describe('redrive where SQS has the message move task (SDK mock)', () => {
  it('starts one move task to the source queue, at the rate asked, and receives nothing itself', async () => {
    const mock = mockClient(SQSClient);
    const dlqUrl = 'https://sqs.us-east-1.amazonaws.com/111122223333/ingest-dlq';
    const dlqArn = 'arn:aws:sqs:us-east-1:111122223333:ingest-dlq';
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/111122223333/ingest';
    mock
      .on(GetQueueAttributesCommand, { QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: dlqArn } });
    mock
      .on(GetQueueAttributesCommand, { QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })
      .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:111122223333:ingest' } });
    mock
      .on(GetQueueAttributesCommand, { QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
    mock.on(ListDeadLetterSourceQueuesCommand).resolves({ queueUrls: [queueUrl] });
    mock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const sqs = new SQSClient({ region: 'us-east-1' });
    const outcome = await redrive(sqs, { deadLetters: dlqUrl, dryRun: false, maxPerSecond: 50 });
    expect(outcome).toMatchObject({ path: 'message-move-task', waiting: 7, taskHandle: 'task-1' });
    expect(mock.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      {
        SourceArn: dlqArn,
        DestinationArn: 'arn:aws:sqs:us-east-1:111122223333:ingest',
        MaxNumberOfMessagesPerSecond: 50,
      },
    ]);
    expect(mock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    mock.restore();
  });

  it('does not fall back when SQS refuses the task for a reason of its own', async () => {
    const mock = mockClient(SQSClient);
    mock.on(GetQueueAttributesCommand).resolves({
      Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:111122223333:q', ApproximateNumberOfMessages: '2' },
    });
    mock
      .on(ListDeadLetterSourceQueuesCommand)
      .resolves({ queueUrls: ['https://sqs.us-east-1.amazonaws.com/111122223333/q'] });
    mock.on(StartMessageMoveTaskCommand).rejects(
      Object.assign(new Error('A task is running'), {
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(
      redrive(new SQSClient({ region: 'us-east-1' }), {
        deadLetters: 'https://sqs.us-east-1.amazonaws.com/111122223333/d',
        dryRun: false,
      }),
    ).rejects.toThrow(/SQS refused the message move task: ResourceNotFoundException/);
    expect(mock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    mock.restore();
  });

  it.each([
    [
      'an emulator HTML page (JSON parse failed on a 500)',
      Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 500 } }),
      true,
    ],
    [
      'an unknown operation',
      Object.assign(new Error('x'), {
        name: 'UnknownOperationException',
        $metadata: { httpStatusCode: 400 },
      }),
      true,
    ],
    [
      'an invalid action',
      Object.assign(new Error('x'), { name: 'InvalidAction', $metadata: { httpStatusCode: 400 } }),
      true,
    ],
    [
      'access denied',
      Object.assign(new Error('x'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
      false,
    ],
    [
      'throttling',
      Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      false,
    ],
    ['a network failure', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), false],
  ])('moveTaskUnavailable: %s → %s', (_name, error, unavailable) => {
    expect(moveTaskUnavailable(error)).toBe(unavailable);
  });
});
