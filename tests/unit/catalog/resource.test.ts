/**
 * serviceCatalogResource's decisions with fakes: which execution answers a Delete (a running rollback, a running
 * teardown, a new teardown after stopping the provisioning), what is answered at once, and redeliveries.
 */
import { serviceCatalogRequestId } from '#lib/request/parse.js';
import { serviceCatalogResource } from '#lib/steps/catalog.js';
import type { CatalogAnswer, CatalogAnswerStore } from '#lib/catalog/answers.js';
import type { CatalogDeps } from '#lib/catalog/deps.js';
import type { RequestRecord, RequestStore } from '#lib/state.js';

const STACK = 'arn:aws:cloudformation:us-west-2:111122223333:stack/s/1';
const ID = serviceCatalogRequestId(STACK, 'PniConnection');
const MACHINES = {
  provision: 'arn:aws:states:us-west-2:111122223333:stateMachine:p',
  teardown: 'arn:aws:states:us-west-2:111122223333:stateMachine:t',
  update: 'arn:aws:states:us-west-2:111122223333:stateMachine:u',
};

function world(rec: Partial<RequestRecord> | undefined, running: string[] = []) {
  const items = new Map<string, CatalogAnswer>();
  const sent: { url: string; body: any }[] = [];
  const started: { machine: string; name: string; input: unknown }[] = [];
  const stopped: string[] = [];
  const answers = {
    async register(a: Omit<CatalogAnswer, 'pk' | 'sk' | 'state' | 'sendAttempts' | 'receivedAt' | 'updatedAt'>) {
      const sk = `CFN#${a.responseUrl}`;
      const existing = items.get(sk);
      if (existing) return { item: existing, repeated: true };
      const item = {
        ...a,
        pk: `REQUEST#${a.requestId}`,
        sk,
        state: 'PENDING',
        sendAttempts: 0,
        receivedAt: 't',
        updatedAt: 't',
      } as CatalogAnswer;
      items.set(sk, item);
      return { item, repeated: false };
    },
    async list() {
      return [...items.values()];
    },
    async bind(item: CatalogAnswer, executionArn: string) {
      const it = items.get(item.sk);
      if (it) it.executionArn = executionArn;
    },
    async claim(item: CatalogAnswer) {
      const it = items.get(item.sk);
      if (it?.state !== 'PENDING') return false;
      it.state = 'SENDING';
      return true;
    },
    async answered(item: CatalogAnswer) {
      const it = items.get(item.sk);
      if (it) it.state = 'ANSWERED';
    },
    async unclaim(item: CatalogAnswer) {
      const it = items.get(item.sk);
      if (it) it.state = 'PENDING';
    },
  };
  const record = rec
    ? ({ requestId: ID, executionArn: `${MACHINES.provision}:exec`, ...rec } as RequestRecord)
    : undefined;
  const deps: CatalogDeps = {
    store: { get: async () => record } as unknown as RequestStore,
    answers: answers as unknown as CatalogAnswerStore,
    executions: {
      async start(machine, name, input) {
        started.push({ machine, name, input });
        return { executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${name}`, existed: false };
      },
      async stop(arn) {
        stopped.push(arn);
        running.splice(running.indexOf(arn), 1);
      },
      async status(arn) {
        return running.includes(arn) ? 'RUNNING' : 'SUCCEEDED';
      },
    },
    respond: async (url, body) => {
      sent.push({ url, body: JSON.parse(body) });
      return 200;
    },
    machines: MACHINES,
    answerDeadlineSeconds: 3300,
    now: () => new Date('2026-12-04T17:00:00Z'),
    sleep: async () => undefined,
  };
  return { deps, items, sent, started, stopped };
}

const request = (type: 'Create' | 'Update' | 'Delete', n = 1, props: Record<string, unknown> = {}) => ({
  RequestType: type,
  ResponseURL: `https://cfn/${type}/${n}`,
  StackId: STACK,
  RequestId: `r-${type}-${n}`,
  LogicalResourceId: 'PniConnection',
  ResourceType: 'Custom::PniConnection',
  ResourceProperties: {
    EnvironmentId: 'env-sandbox1',
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    SubnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'],
    ...props,
  },
});

test('Create starts the provisioning named after the request id, bound to its execution', async () => {
  const w = world(undefined);
  const out = await serviceCatalogResource(request('Create'), w.deps);
  expect(out).toMatchObject({
    requestId: ID,
    outcome: 'STARTED',
    executionArn: `${MACHINES.provision.replace(':stateMachine:', ':execution:')}:${ID}`,
  });
  expect(w.started).toEqual([
    { machine: MACHINES.provision, name: ID, input: expect.objectContaining({ source: 'servicecatalog' }) },
  ]);
  expect([...w.items.values()][0].executionArn).toBe(out.executionArn);
  expect(w.sent).toEqual([]);
});

test('Delete with nothing on record answers SUCCESS at once and starts nothing', async () => {
  const w = world(undefined);
  expect((await serviceCatalogResource(request('Delete'), w.deps)).outcome).toBe('ANSWERED');
  expect(w.sent.map((s) => s.body.Status)).toEqual(['SUCCESS']);
  expect(w.started).toEqual([]);
});

test('Delete while the rollback runs waits for it: bound to the provisioning execution, nothing started or stopped', async () => {
  const exec = `${MACHINES.provision}:exec`;
  const w = world({ status: 'ROLLING_BACK', executionArn: exec }, [exec]);
  const out = await serviceCatalogResource(request('Delete'), w.deps);
  expect(out).toMatchObject({ outcome: 'FOLLOWING', executionArn: exec });
  expect(w.started).toEqual([]);
  expect(w.stopped).toEqual([]);
  expect(w.sent).toEqual([]);
});

test('Delete while a teardown runs follows that teardown', async () => {
  const td = `${MACHINES.teardown}:td`;
  const w = world({ status: 'TEARING_DOWN', teardownExecutionArn: td }, [td]);
  expect(await serviceCatalogResource(request('Delete'), w.deps)).toMatchObject({
    outcome: 'FOLLOWING',
    executionArn: td,
  });
  expect(w.started).toEqual([]);
});

test('Delete while provisioning stops it, answers the waiting Create FAILED, and starts a teardown', async () => {
  const exec = `${MACHINES.provision.replace(':stateMachine:', ':execution:')}:${ID}`;
  const w = world({ status: 'PROVISIONING', executionArn: exec }, [exec]);
  await serviceCatalogResource(request('Create'), w.deps);
  const out = await serviceCatalogResource(request('Delete'), w.deps);
  expect(w.stopped).toEqual([exec]);
  expect(w.sent.map((s) => [s.url, s.body.Status])).toEqual([['https://cfn/Create/1', 'FAILED']]);
  expect(out.outcome).toBe('STARTED');
  expect(w.started.at(-1)).toMatchObject({ machine: MACHINES.teardown, input: { requestId: ID, mode: 'teardown' } });
});

test('a redelivered Delete still pending starts the same teardown (same execution name: Step Functions answers the running one)', async () => {
  const w = world({ status: 'SUCCEEDED', request: undefined });
  await serviceCatalogResource(request('Delete', 7), w.deps); // SUCCEEDED -> teardown started
  const again = await serviceCatalogResource(request('Delete', 7), w.deps);
  expect(again.outcome).toBe('STARTED'); // still pending: bound to the same teardown (same name)
  expect(w.started.filter((s) => s.machine === MACHINES.teardown).map((s) => s.name)).toHaveLength(2);
  expect(new Set(w.started.map((s) => s.name)).size).toBe(1);
});
