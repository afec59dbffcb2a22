import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ACCOUNT, clientConfig, REGION, startHarness, until, type Harness } from './helpers.js';

let h: Harness;
let sfn: SFNClient;
let mainArn: string;
let childArn: string;

beforeAll(async () => {
  h = await startHarness();
  sfn = new SFNClient(clientConfig(h.endpoint));
  mainArn = h.sfn.stateMachineArn('main');
  childArn = h.sfn.stateMachineArn('child');
});
afterAll(async () => {
  sfn.destroy();
  await h.close();
});
afterEach(() => h.faults.clear());

const mainInput = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    items: ['a', 'b', 'c', 'd', 'e'],
    boomMode: 'ok',
    childMode: 'ok',
    childSleepSeconds: 0,
    flakyFailTimes: 0,
    ...over,
  });

async function runToEnd(input: string, name?: string) {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: mainArn, input, name }));
  await h.sfn.waitForExecution(started.executionArn!);
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
  return { arn: started.executionArn!, d };
}

async function history(arn: string) {
  const events = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 25, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

describe('StepFunctionsService over the wire (real SFNClient)', () => {
  it('runs the happy path: Lambda tasks, scaled 30 s Wait, Parallel, Map, nested sync execution', async () => {
    const before = h.state.calls.work ?? 0;
    const { arn, d } = await runToEnd(mainInput(), 'happy-1');
    expect(arn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:fixture-svc-dev-main:happy-1`);
    expect(d.status).toBe('SUCCEEDED');
    expect(d.name).toBe('happy-1');
    expect(d.stateMachineArn).toBe(mainArn);
    expect(d.startDate).toBeInstanceOf(Date);
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());
    const out = JSON.parse(d.output!);
    expect(out.finished).toBe(true);
    expect(out.fanout[1].map((r: { done: string }) => r.done)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(out.nested.status).toBe('SUCCEEDED');
    expect(out.nested.childOutput).toEqual({ child: 'done', parent: arn }); // :2 -> parsed JSON output
    expect(out.nested.childArn).toMatch(/:execution:fixture-svc-dev-child:/);
    expect(h.state.calls.work - before).toBe(5);
    expect(h.state.effects).toContain(`work:${arn}:c`);

    // The child is an execution of its own.
    const child = await sfn.send(new DescribeExecutionCommand({ executionArn: out.nested.childArn }));
    expect(child.status).toBe('SUCCEEDED');
    expect(JSON.parse(child.input!).AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID).toBe(arn);

    // $$ context and the fake Lambda context reached the handler; CloudFormation objects became strings.
    const hist = await history(arn);
    const prepExit = hist.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Prepare');
    const prepared = JSON.parse(prepExit!.stateExitedEventDetails!.output!).prepared;
    expect(prepared.execId).toBe(arn);
    expect(prepared.execName).toBe('happy-1');
    expect(typeof prepared.startTime).toBe('string');
    expect(prepared.table).toBe('StateTable');
    expect(prepared.functionName).toBe('fixture-svc-dev-prepare');
    expect(prepared.invokedFunctionArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:fixture-svc-dev-prepare`);
    expect(prepared.remainingMs).toBeGreaterThan(25_000);
  });

  it('records an AWS-like history', async () => {
    const { arn } = await runToEnd(mainInput({ items: ['x', 'y'] }));
    const hist = await history(arn);
    const types = hist.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types[types.length - 1]).toBe('ExecutionSucceeded');
    expect(hist.map((e) => e.id)).toEqual(hist.map((_, i) => i + 1));
    expect(hist.every((e, i) => e.previousEventId === i)).toBe(true);
    expect(hist[0].timestamp).toBeInstanceOf(Date);
    for (const t of [
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'SucceedStateEntered',
    ].filter((t) => t !== 'SucceedStateEntered')) {
      expect(types).toContain(t);
    }
    const started = hist[0].executionStartedEventDetails!;
    expect(JSON.parse(started.input!).items).toEqual(['x', 'y']);
    const sched = hist.find((e) => e.type === 'LambdaFunctionScheduled')!;
    expect(sched.lambdaFunctionScheduledEventDetails!.resource).toBe(
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fixture-svc-dev-prepare`,
    );
    expect(JSON.parse(sched.lambdaFunctionScheduledEventDetails!.input!)).toMatchObject({
      execId: arn,
      table: 'StateTable',
    });
    const prepOut = hist.find((e) => e.type === 'LambdaFunctionSucceeded')!;
    expect(JSON.parse(prepOut.lambdaFunctionSucceededEventDetails!.output!)).toMatchObject({
      execId: arn,
      functionName: 'fixture-svc-dev-prepare',
    });
    const task = hist.find((e) => e.type === 'TaskScheduled')!;
    expect(task.taskScheduledEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
      region: REGION,
    });
    expect(JSON.parse(task.taskScheduledEventDetails!.parameters!).StateMachineArn).toBe(childArn);
    expect(
      hist
        .filter((e) => e.type === 'MapIterationSucceeded')
        .map((e) => e.mapIterationSucceededEventDetails!.index)
        .sort(),
    ).toEqual([0, 1]);

    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 1 }),
    );
    expect(reversed.events![0].type).toBe('ExecutionSucceeded');
    expect(reversed.nextToken).toBeDefined();
  });

  it('retries a named error with scaled intervals, then succeeds', async () => {
    const { arn, d } = await runToEnd(mainInput({ flakyFailTimes: 2 }));
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).fanout[0]).toEqual({ attempts: 3 });
    const hist = await history(arn);
    const failed = hist.filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failed).toHaveLength(2);
    expect(failed[0].lambdaFunctionFailedEventDetails!.error).toBe('ThrottlingError');
    const cause = JSON.parse(failed[0].lambdaFunctionFailedEventDetails!.cause!);
    expect(cause).toMatchObject({ errorType: 'ThrottlingError', errorMessage: 'slow down (attempt 1)' });
    expect(
      hist.filter(
        (e) =>
          e.type === 'LambdaFunctionScheduled' && e.lambdaFunctionScheduledEventDetails!.resource!.endsWith('-flaky'),
      ),
    ).toHaveLength(3);
  });

  it('fails the execution when retries are exhausted', async () => {
    const { d } = await runToEnd(mainInput({ flakyFailTimes: 10 }));
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('ThrottlingError');
    expect(JSON.parse(d.cause!).errorMessage).toBe('slow down (attempt 4)');
  });

  it('a handler error keeps its name and reaches Catch', async () => {
    const { d } = await runToEnd(mainInput({ boomMode: 'throw' }));
    expect(d.status).toBe('SUCCEEDED');
    const caught = JSON.parse(d.output!).caught;
    expect(caught.Error).toBe('FixtureBoom');
    expect(JSON.parse(caught.Cause)).toMatchObject({ errorType: 'FixtureBoom', errorMessage: 'kaboom' });
  });

  it('injects a Lambda fault before the handler runs', async () => {
    h.faults.add({ service: 'lambda', action: 'finish', error: 'InjectedCrash', message: 'boom before' });
    const before = h.state.calls.finish ?? 0;
    const { d } = await runToEnd(mainInput());
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('InjectedCrash');
    expect(JSON.parse(d.cause!).errorMessage).toBe('boom before');
    expect(h.state.calls.finish ?? 0).toBe(before); // never called
    expect(h.faults.list()[0].fired).toBe(1);
  });

  it('injects a Lambda fault after the side effect', async () => {
    h.faults.add({ service: 'lambda', action: 'finish', error: 'CrashedAfterWork', afterSideEffect: true });
    const before = h.state.calls.finish ?? 0;
    const { arn, d } = await runToEnd(mainInput());
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('CrashedAfterWork');
    expect(JSON.parse(d.cause!).errorMessage).toBe('injected fault');
    expect(h.state.calls.finish).toBe(before + 1); // the handler ran
    expect(h.state.effects).toContain(`finish:${arn}`);
  });

  it('a fault on the Nth call of a Map task fails that iteration only once', async () => {
    h.faults.add({ service: 'lambda', action: 'work', error: 'WorkHiccup', onCall: 2 });
    const { d } = await runToEnd(mainInput());
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('WorkHiccup');
  });

  it('propagates a nested execution failure as States.TaskFailed with the child describe as cause', async () => {
    const { arn, d } = await runToEnd(mainInput({ childMode: 'fail' }));
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('States.TaskFailed'); // through the Fail state's ErrorPath
    const cause = JSON.parse(d.cause!);
    expect(cause).toMatchObject({
      Status: 'FAILED',
      Error: 'ChildError',
      StateMachineArn: childArn,
      Name: expect.any(String),
    });
    expect(JSON.parse(cause.Cause)).toMatchObject({ errorType: 'ChildError', errorMessage: 'child broke' });
    const hist = await history(arn);
    const tf = hist.find((e) => e.type === 'TaskFailed')!;
    expect(tf.taskFailedEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
      error: 'States.TaskFailed',
    });
    expect(hist.find((e) => e.type === 'FailStateEntered')).toBeDefined();
  });

  it('ExecutionAlreadyExists: same name + same input while running is idempotent, otherwise refused', async () => {
    const input = JSON.stringify({ childMode: 'sleep', sleepSeconds: 100_000 }); // 100 s at timeFactor 0.001
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: childArn, name: 'dup-1', input }));
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: childArn, name: 'dup-1', input }));
    expect(b.executionArn).toBe(a.executionArn);
    expect(b.startDate!.getTime()).toBe(a.startDate!.getTime());
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: childArn, name: 'dup-1', input: '{"other":1}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: a.executionArn }));
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: childArn, name: 'dup-1', input })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('StopExecution aborts a running execution (ABORTED, error/cause kept, history closed)', async () => {
    const a = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: childArn,
        input: JSON.stringify({ childMode: 'sleep', sleepSeconds: 100_000 }),
      }),
    );
    await until(() => h.sfn.getExecutionHistory(a.executionArn!).events.some((e) => e.type === 'WaitStateEntered'));
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn: a.executionArn, error: 'Operator', cause: 'changed my mind' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'changed my mind' });
    const hist = await history(a.executionArn!);
    expect(hist[hist.length - 1].type).toBe('ExecutionAborted');
    expect(hist[hist.length - 1].executionAbortedEventDetails).toEqual({ error: 'Operator', cause: 'changed my mind' });
    expect(h.state.calls.childStep ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('stopping a parent stops its .sync child', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: mainArn,
        input: mainInput({ childMode: 'sleep', childSleepSeconds: 100_000 }),
      }),
    );
    const arn = started.executionArn!;
    const childExec = await until(() =>
      h.sfn
        .listExecutions({ stateMachineArn: childArn, statusFilter: 'RUNNING' })
        .executions.find(
          (e) =>
            JSON.parse(h.sfn.describeExecution(e.executionArn).input).AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID ===
            arn,
        ),
    );
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    expect((await h.sfn.waitForExecution(arn)).status).toBe('ABORTED');
    const child = await h.sfn.waitForExecution(childExec.executionArn);
    expect(child.status).toBe('ABORTED');
    expect(child.cause).toContain(arn);
  });

  it('a SecondsPath Wait is scaled too and still reported as a Wait state', async () => {
    const a = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: childArn,
        input: JSON.stringify({ childMode: 'sleep', sleepSeconds: 30 }),
      }),
    );
    expect((await h.sfn.waitForExecution(a.executionArn!)).status).toBe('SUCCEEDED');
    const hist = await history(a.executionArn!);
    const sleepEvents = hist
      .filter((e) => (e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name) === 'ChildSleep')
      .map((e) => e.type);
    expect(sleepEvents).toEqual(['WaitStateEntered', 'WaitStateExited']);
    const bad = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: childArn,
        input: JSON.stringify({ childMode: 'sleep', sleepSeconds: 'soon' }),
      }),
    );
    const d = await h.sfn.waitForExecution(bad.executionArn!);
    expect(d).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('after StopExecution no further task starts (queued Map iterations included)', async () => {
    const items = Array.from({ length: 60 }, (_, i) => `s${i}`);
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: mainArn, input: mainInput({ items }) }),
    );
    const arn = started.executionArn!;
    await until(
      () =>
        h.sfn.getExecutionHistory(arn, { maxResults: 1000 }).events.filter((e) => e.type === 'MapIterationSucceeded')
          .length >= 4,
    );
    await sfn.send(new StopExecutionCommand({ executionArn: arn }));
    await h.sfn.waitForExecution(arn);
    const count = () => h.state.effects.filter((e) => e.startsWith(`work:${arn}:`)).length;
    const atStop = count();
    await new Promise((r) => setTimeout(r, 300));
    expect(count()).toBe(atStop);
    expect(atStop).toBeLessThan(items.length);
    const hist = h.sfn.getExecutionHistory(arn, { maxResults: 1000 }).events;
    expect(hist[hist.length - 1].type).toBe('ExecutionAborted');
  });

  it('ListExecutions: newest first, status filter, pagination', async () => {
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: mainArn, maxResults: 2 }));
    expect(list.executions).toHaveLength(2);
    expect(list.nextToken).toBeDefined();
    const all = h.sfn.listExecutions({ stateMachineArn: mainArn, maxResults: 1000 }).executions;
    expect(list.executions![0].executionArn).toBe(all[0].executionArn);
    expect(all[0].startDate.getTime()).toBeGreaterThanOrEqual(all[all.length - 1].startDate.getTime());
    const page2 = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: mainArn, maxResults: 2, nextToken: list.nextToken }),
    );
    expect(page2.executions![0].executionArn).toBe(all[2].executionArn);
    const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: mainArn, statusFilter: 'FAILED' }));
    expect(failed.executions!.length).toBeGreaterThan(0);
    expect(failed.executions!.every((e) => e.status === 'FAILED' && e.stopDate instanceof Date)).toBe(true);
  });

  it('answers AWS errors for bad requests', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: mainArn, name: 'has space' })),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: mainArn, input: '{nope' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:fixture-svc-dev-main:ghost`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' }))).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('describes and lists state machines with resolved definitions', async () => {
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: mainArn }));
    expect(d.name).toBe('fixture-svc-dev-main');
    expect(d.type).toBe('STANDARD');
    const def = JSON.parse(d.definition!);
    expect(def.States.Prepare.Resource).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:fixture-svc-dev-prepare`);
    expect(def.States.Nested.Parameters.StateMachineArn).toBe(childArn);
    const l = await sfn.send(new ListStateMachinesCommand({}));
    expect(l.stateMachines!.map((s) => s.name).sort()).toEqual([
      'fixture-svc-dev-child',
      'fixture-svc-dev-main',
      'fixture-svc-dev-slowpoke',
    ]);
  });

  it('enforces the machine TimeoutSeconds in real seconds (TIMED_OUT)', async () => {
    const slow = h.sfn.stateMachineArn('slowpoke');
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: slow, input: '{"mode":"wait"}' });
    const d = await h.sfn.waitForExecution(executionArn);
    expect(d.status).toBe('TIMED_OUT');
    const hist = h.sfn.getExecutionHistory(executionArn).events;
    expect(hist[hist.length - 1].type).toBe('ExecutionTimedOut');
  });

  it('a Lambda that outlives its function timeout fails with Sandbox.Timedout', async () => {
    const slow = h.sfn.stateMachineArn('slowpoke');
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: slow, input: '{"mode":"lambda-timeout"}' });
    const d = await h.sfn.waitForExecution(executionArn);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.timeout.Error).toBe('Sandbox.Timedout');
    expect(JSON.parse(out.timeout.Cause).errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('runs 20 executions concurrently', async () => {
    const starts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sfn.send(
          new StartExecutionCommand({
            stateMachineArn: mainArn,
            name: `conc-${i}`,
            input: mainInput({ items: [`i${i}a`, `i${i}b`, `i${i}c`], flakyFailTimes: i % 2 }),
          }),
        ),
      ),
    );
    const ds = await Promise.all(starts.map((s) => h.sfn.waitForExecution(s.executionArn!)));
    expect(ds.map((d) => d.status)).toEqual(Array(20).fill('SUCCEEDED'));
    for (const [i, d] of ds.entries()) {
      expect(JSON.parse(d.output!).fanout[1].map((r: { done: string }) => r.done)).toEqual([
        `i${i}a`,
        `i${i}b`,
        `i${i}c`,
      ]);
    }
  });

  it('snapshot() and onEvent()', async () => {
    const seen: string[] = [];
    const off = h.sfn.onEvent((arn, ev) => seen.push(`${arn.split(':').pop()}:${ev.type}`));
    await runToEnd(mainInput(), 'events-1');
    off();
    expect(seen).toContain('events-1:ExecutionStarted');
    expect(seen).toContain('events-1:MapIterationSucceeded');
    expect(seen.some((s) => !s.startsWith('events-1:') && s.endsWith(':ExecutionSucceeded'))).toBe(true); // the nested child
    const snap = h.sfn.snapshot() as { name: string; status: string; startDate: unknown }[];
    const mine = snap.find((s) => s.name === 'events-1')!;
    expect(mine.status).toBe('SUCCEEDED');
    expect(typeof mine.startDate).toBe('number');
  });
});
