import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { clientConfig, startHarness, type Harness } from './helpers.js';

let h: Harness;
let eb: EventBridgeClient;
let mainArn: string;

beforeAll(async () => {
  h = await startHarness();
  eb = new EventBridgeClient(clientConfig(h.endpoint));
  mainArn = h.sfn.stateMachineArn('main');
});
afterAll(async () => {
  eb.destroy();
  await h.close();
});

const executionsOf = (arn: string) => h.sfn.listExecutions({ stateMachineArn: arn, maxResults: 1000 }).executions;
const inputOf = (executionArn: string) => JSON.parse(h.sfn.describeExecution(executionArn).input);

describe('EventBridgeService over the wire (real EventBridgeClient)', () => {
  it('a matching event starts the state machine with the transformed input (keeping the event id)', async () => {
    const detail = { requestId: 'req-1', items: ['p', 'q'], boomMode: 'ok', quote: 'say "hi"' };
    const before = executionsOf(mainArn).length;
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'fixture.requests', DetailType: 'Fixture Requested', Detail: JSON.stringify(detail) }],
      }),
    );
    expect(res.FailedEntryCount).toBe(0);
    const eventId = res.Entries![0].EventId!;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    await h.eb.idle();
    const execs = executionsOf(mainArn);
    expect(execs.length).toBe(before + 1);
    const exec = execs[0];
    expect(exec.name).toMatch(/^[0-9a-f-]{36}$/); // EventBridge targets start unnamed executions
    const input = inputOf(exec.executionArn);
    expect(input).toEqual({
      source: 'eventbridge',
      eventId,
      items: ['p', 'q'],
      boomMode: 'ok',
      childMode: 'ok',
      childSleepSeconds: 0,
      flakyFailTimes: 0,
      request: detail,
      absent: null,
      absentText: '',
    });
    const d = await h.sfn.waitForExecution(exec.executionArn);
    expect(d.status).toBe('SUCCEEDED');

    const recorded = (
      h.eb.snapshot() as {
        EventId: string;
        Source: string;
        DetailType: string;
        Detail: string;
        EventBusName: string;
        Deliveries: { executionArn?: string }[];
      }[]
    ).find((e) => e.EventId === eventId)!;
    expect(recorded).toMatchObject({
      Source: 'fixture.requests',
      DetailType: 'Fixture Requested',
      Detail: JSON.stringify(detail),
      EventBusName: 'default',
    });
    expect(recorded.Deliveries.map((x) => x.executionArn)).toEqual([exec.executionArn]);
  });

  it('a non-matching event is recorded but starts nothing', async () => {
    const before = h.sfn.snapshot().length;
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'someone.else', DetailType: 'Fixture Requested', Detail: '{"items":[]}' },
          { Source: 'fixture.requests', DetailType: 'Something Else', Detail: '{}' },
          { Source: 'fixture.requests', DetailType: 'Slowpoke Requested', Detail: '{"mode":"nope"}' }, // detail prefix mismatch
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(0);
    await h.eb.idle();
    expect(h.sfn.snapshot().length).toBe(before);
    const ids = res.Entries!.map((e) => e.EventId);
    const snap = h.eb.snapshot() as { EventId: string; Deliveries: unknown[] }[];
    for (const id of ids) expect(snap.find((e) => e.EventId === id)?.Deliveries).toEqual([]);
  });

  it('a rule with inputPath and a detail prefix pattern passes the detail only', async () => {
    const slow = h.sfn.stateMachineArn('slowpoke');
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'fixture.requests', DetailType: 'Slowpoke Requested', Detail: '{"mode":"lambda-timeout","x":1}' },
        ],
      }),
    );
    await h.eb.idle();
    const exec = executionsOf(slow)[0];
    expect(inputOf(exec.executionArn)).toEqual({ mode: 'lambda-timeout', x: 1 });
    expect(res.Entries![0].EventId).toBeDefined();
    expect((await h.sfn.waitForExecution(exec.executionArn)).status).toBe('SUCCEEDED');
  });

  it('redeliver starts a second execution with the same event id', async () => {
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'fixture.requests',
            DetailType: 'Fixture Requested',
            Detail: JSON.stringify({ items: ['r'], boomMode: 'ok' }),
          },
        ],
      }),
    );
    const eventId = res.Entries![0].EventId!;
    await h.eb.idle();
    h.eb.redeliver(eventId);
    await h.eb.idle();
    const mine = executionsOf(mainArn).filter((e) => inputOf(e.executionArn).eventId === eventId);
    expect(mine).toHaveLength(2);
    expect(mine[0].executionArn).not.toBe(mine[1].executionArn);
    const recorded = (h.eb.snapshot() as { EventId: string; Deliveries: { delivery: number }[] }[]).find(
      (e) => e.EventId === eventId,
    )!;
    expect(recorded.Deliveries.map((d) => d.delivery)).toEqual([1, 2]);
    await Promise.all(mine.map((e) => h.sfn.waitForExecution(e.executionArn)));
    expect(() => h.eb.redeliver('no-such-id')).toThrow(/No recorded event/);
  });

  it('validates entries like AWS: per-entry errors, and more than 10 entries is a ValidationException', async () => {
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'fixture.requests', DetailType: 'X', Detail: '{"ok":true}' },
          { DetailType: 'X', Detail: '{}' },
          { Source: 'fixture.requests', Detail: '{}' },
          { Source: 'fixture.requests', DetailType: 'X' },
          { Source: 'fixture.requests', DetailType: 'X', Detail: '{not json' },
          { Source: 'fixture.requests', DetailType: 'X', Detail: '[1,2]' },
          { Source: 'fixture.requests', DetailType: 'X', Detail: '{}', EventBusName: 'nope' },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(6);
    expect(res.Entries![0].EventId).toBeDefined();
    expect(res.Entries!.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);
    expect(res.Entries![1].ErrorMessage).toMatch(/Source/);
    const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expect(eb.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('onEvent sees every accepted entry; Time and Resources are kept', async () => {
    const seen: string[] = [];
    const off = h.eb.onEvent((e) => seen.push(e.EventId));
    const t = new Date('2026-01-02T03:04:05Z');
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'x.y', DetailType: 'Z', Detail: '{}', Time: t, Resources: ['arn:aws:x'] }],
      }),
    );
    off();
    expect(seen).toEqual([res.Entries![0].EventId]);
    const rec = (h.eb.snapshot() as { EventId: string; Time: string; Resources?: string[] }[]).find(
      (e) => e.EventId === seen[0],
    )!;
    expect(rec.Time).toBe('2026-01-02T03:04:05Z');
    expect(rec.Resources).toEqual(['arn:aws:x']);
  });
});
