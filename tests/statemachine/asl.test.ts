/**
 * Structural rules over statemachine/*.asl.json (the one source of each definition):
 * valid ASL; every Task bounded and retried correctly; no blanket retries on forward steps;
 * every forward step of provision reaches the rollback; every polling loop has a deadline;
 * teardown runs in the safe order; the update machine follows the same rules; the Service Catalog answer states never
 * change an outcome.
 */
import fs from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { parse as parseYaml } from 'yaml';
import {
  IN_USE_ERROR_NAMES,
  LAMBDA_SERVICE_ERROR_NAMES,
  NOT_YET_VISIBLE_ERROR_NAMES,
  TIMEOUT_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
  UNCONFIRMED_DELETION_ERROR_NAMES,
} from '#lib/errors.js';
import {
  ACCESS_POINT_POLL_SECONDS,
  DELETION_POLL_SECONDS,
  DRIFT_CHECK_CONCURRENCY,
  DRIFT_PAGE_PAUSE_SECONDS,
  GATEWAY_POLL_SECONDS,
} from '#lib/constants.js';

type State = Record<string, any>;
type Machine = { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number };
const root = path.resolve(import.meta.dirname, '../..');
const load = (name: string): Machine =>
  JSON.parse(fs.readFileSync(path.join(root, 'statemachine', `${name}.asl.json`), 'utf8'));
const provision = load('provision');
const teardown = load('teardown');
// day 2 (issue 10)
const plan = load('plan');
const drift = load('drift');
const repair = load('repair');
// Service Catalog (issue 9)
const update = load('update');
/** The AnswerCloudFormation states, reached from the outcome states, never change it. */
const isAnswer = (s: State) => JSON.stringify(s.Resource ?? '').includes('answerCloudFormation');
/** Entry points that no state machine invokes (CloudFormation calls serviceCatalogResource). */
const ENTRY_POINT_FUNCTIONS = ['serviceCatalogResource'];
/** Every definition in statemachine/ (a new machine is covered by the shared rules below without a change here). */
const allMachines: Record<string, Machine> = Object.fromEntries(
  fs
    .readdirSync(path.join(root, 'statemachine'))
    .filter((f) => f.endsWith('.asl.json'))
    .map((f) => [f.replace(/\.asl\.json$/, ''), load(f.replace(/\.asl\.json$/, ''))]),
);
/** Polling loops each machine has (each needs a deadline). */
const MIN_LOOPS: Record<string, number> = { provision: 2, teardown: 2, plan: 0, drift: 1, repair: 1, update: 1 };

/** Replace CloudFormation objects the way the deploy plugin resolves them, so asl-validator can check ARNs. */
function resolveCfn(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolveCfn);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['Fn::GetAtt']))
      return `arn:aws:lambda:us-west-2:111122223333:function:pni-${(o['Fn::GetAtt'] as string[])[0]}`;
    if (typeof o.Ref === 'string') return `arn:aws:states:us-west-2:111122223333:stateMachine:${o.Ref}`;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveCfn(x)]));
  }
  return v;
}

/** Every state of a machine, including those in Parallel branches and Map processors, with its scope. */
function allStates(
  m: { States: Record<string, State> },
  scope = 'top',
): { name: string; state: State; scope: string }[] {
  const out: { name: string; state: State; scope: string }[] = [];
  for (const [name, state] of Object.entries(m.States)) {
    out.push({ name, state, scope });
    for (const b of state.Branches ?? []) out.push(...allStates(b, `${name}/branch`));
    const proc = state.ItemProcessor ?? state.Iterator;
    if (proc) out.push(...allStates(proc, `${name}/map`));
  }
  return out;
}
const lambdaKey = (s: State): string | undefined => s.Resource?.['Fn::GetAtt']?.[0];
/**
 * Steps that are not retried blindly after a timeout: repairConnection replaces a deleted ENI with a fresh ClientToken
 * per invocation, so a retry after a timeout could create a second ENI; its Catch records the failure (FinishRepair)
 * and the next repair re-observes what exists.
 */
const NOT_RETRIED_ON_TIMEOUT = ['repairConnection'];
function successors(s: State): string[] {
  return [
    s.Next,
    s.Default,
    ...(s.Choices ?? []).map((c: State) => c.Next),
    ...(s.Catch ?? []).map((c: State) => c.Next),
  ].filter(Boolean);
}
function reachable(m: Machine, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...successors(m.States[n]));
  }
  return seen;
}

describe.each(Object.entries(allMachines))('%s.asl.json', (name, machine) => {
  test('is valid ASL (asl-validator, ARNs and paths checked)', () => {
    const result = aslValidator(structuredClone(resolveCfn(machine)), { checkPaths: true, checkArn: true });
    expect(result.errorsText?.('\n') ?? '').toBe('');
    expect(result.isValid).toBe(true);
  });

  test('has a machine-level timeout', () => {
    expect(machine.TimeoutSeconds).toBeGreaterThan(0);
  });

  test('every Task has TimeoutSeconds', () => {
    const missing = allStates(machine)
      .filter(({ state }) => state.Type === 'Task' && !(state.TimeoutSeconds > 0))
      .map((s) => s.name);
    expect(missing).toEqual([]);
  });

  test('every Lambda Task retries the Lambda service faults first, with backoff', () => {
    for (const { name: n, state } of allStates(machine).filter(({ state }) => lambdaKey(state))) {
      const first = state.Retry?.[0];
      expect({ n, errors: first?.ErrorEquals }).toEqual({ n, errors: [...LAMBDA_SERVICE_ERROR_NAMES] });
      expect(first.BackoffRate).toBeGreaterThanOrEqual(1);
    }
  });

  test('every Lambda Task retries exactly the transient error names, and nothing retries States.ALL or States.TaskFailed', () => {
    const known = new Set<string>([
      ...LAMBDA_SERVICE_ERROR_NAMES,
      ...TRANSIENT_ERROR_NAMES,
      ...NOT_YET_VISIBLE_ERROR_NAMES,
      ...IN_USE_ERROR_NAMES,
      ...UNCONFIRMED_DELETION_ERROR_NAMES,
      ...TIMEOUT_ERROR_NAMES,
    ]);
    for (const { name: n, state } of allStates(machine).filter(({ state }) => state.Retry)) {
      const errors: string[] = state.Retry.flatMap((r: State) => r.ErrorEquals);
      expect({ n, blanket: errors.filter((e) => e === 'States.ALL' || e === 'States.TaskFailed') }).toEqual({
        n,
        blanket: [],
      });
      if (lambdaKey(state)) {
        expect({ n, unknown: errors.filter((e) => !known.has(e)) }).toEqual({ n, unknown: [] });
        for (const t of [...TRANSIENT_ERROR_NAMES, ...NOT_YET_VISIBLE_ERROR_NAMES])
          expect({ n, has: errors.includes(t) ? t : undefined }).toEqual({ n, has: t });
      }
      for (const r of state.Retry) {
        expect(r.MaxAttempts).toBeLessThanOrEqual(10);
        expect(r.BackoffRate ?? 2).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('every Lambda Task retries a timeout (the function timed out, or the Task did) more than once, with jitter: every step is idempotent', () => {
    for (const { name: n, state } of allStates(machine).filter(
      ({ state }) => lambdaKey(state) && !NOT_RETRIED_ON_TIMEOUT.includes(lambdaKey(state) ?? ''),
    )) {
      const r = state.Retry.find((x: State) => x.ErrorEquals.includes('Sandbox.Timedout'));
      expect({ n, errors: r?.ErrorEquals }).toEqual({ n, errors: [...TIMEOUT_ERROR_NAMES] });
      expect(r.MaxAttempts).toBeGreaterThanOrEqual(2);
      expect(r.JitterStrategy).toBe('FULL');
      expect(r.BackoffRate).toBeGreaterThan(1);
    }
  });

  test('every Lambda function exists in serverless.yml with a handler file, and every function is used', () => {
    const sls = parseYaml(fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8')) as {
      functions: Record<string, { handler: string }>;
    };
    const used = new Set(
      Object.values(allMachines)
        .flatMap((m) => allStates(m))
        .map(({ state }) => lambdaKey(state))
        .filter(Boolean),
    );
    for (const key of used) {
      expect(sls.functions[key!]).toBeDefined();
      const file = sls.functions[key!].handler.replace(/\.[^.]+$/, '.ts');
      expect(fs.existsSync(path.join(root, file))).toBe(true);
    }
    expect(Object.keys(sls.functions).sort()).toEqual([...used, ...ENTRY_POINT_FUNCTIONS].sort());
  });

  test('every polling loop has a deadline: a Choice back to a Wait also compares a counter with a limit and exits', () => {
    const scopes = [
      machine,
      ...allStates(machine).flatMap(({ state }) => [
        ...(state.Branches ?? []),
        ...(state.ItemProcessor ? [state.ItemProcessor] : []),
      ]),
    ] as Machine[];
    let loops = 0;
    for (const m of scopes) {
      for (const [n, s] of Object.entries(m.States)) {
        if (s.Type !== 'Choice') continue;
        const loopsBack = [s.Default, ...s.Choices.map((c: State) => c.Next)].some(
          (t) => m.States[t]?.Type === 'Wait' && reachable(m, t).has(n),
        );
        if (!loopsBack) continue;
        loops += 1;
        const deadline = s.Choices.find(
          (c: State) =>
            typeof c.NumericGreaterThanEqualsPath === 'string' &&
            c.NumericGreaterThanEqualsPath.startsWith('$.limits.'),
        );
        expect({ n, deadline: !!deadline }).toEqual({ n, deadline: true });
        expect(reachable(m, deadline.Next).has(n)).toBe(false);
      }
    }
    expect(loops).toBeGreaterThanOrEqual(MIN_LOOPS[name] ?? 1);
  });
});

describe('provision', () => {
  const forward = [...reachable(provision, 'ProvisionResources')].filter(
    (n) => !reachable(provision, 'ClaimRollback').has(n) && !isAnswer(provision.States[n]),
  );

  test('a ValidateRequest error never reaches the rollback: the record is marked REJECTED and the execution fails with that error', () => {
    expect(provision.StartAt).toBe('ValidateRequest');
    // No ResultPath (the default, $: the error replaces the state): the input may be any JSON value (null, a list),
    // which a ResultPath such as '$.error' could not extend. RejectRequest reads the input from the context object.
    expect(provision.States.ValidateRequest.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RejectRequest' }]);
    expect(reachable(provision, 'RejectRequest').has('Rollback')).toBe(false);
    expect(provision.States.RejectRequest.Parameters.outcome).toBe('REJECTED');
    expect(provision.States.RejectRequest.Parameters.context['input.$']).toBe('$$.Execution.Input');
    expect(provision.States.RequestRejected).toEqual({
      Type: 'Fail',
      ErrorPath: '$.Error',
      CausePath: '$.Cause',
    });
  });

  test('every forward Task/Parallel/Map after validation catches States.ALL into the rollback (claim first)', () => {
    const fallible = forward.filter((n) => ['Task', 'Parallel', 'Map'].includes(provision.States[n].Type));
    expect(fallible.length).toBeGreaterThanOrEqual(6);
    for (const n of fallible) {
      const c = provision.States[n].Catch?.find((x: State) => x.ErrorEquals.includes('States.ALL'));
      expect({ n, next: c?.Next }).toEqual({ n, next: 'ClaimRollback' });
    }
  });

  test('the rollback is claimed on the record before the nested teardown starts; a failed claim is still recorded', () => {
    const c = provision.States.ClaimRollback;
    expect(c.Resource).toEqual({ 'Fn::GetAtt': ['recordOutcome', 'Arn'] });
    expect(c.Parameters.outcome).toBe('ROLLING_BACK');
    expect(c.ResultPath).toBeNull();
    expect(c.Next).toBe('Rollback');
    expect(c.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.rollbackError', Next: 'RecordFailed' }]);
    const preds = allStates(provision)
      .filter(({ state }) => successors(state).includes('Rollback'))
      .map(({ name }) => name);
    expect(preds).toEqual(['ClaimRollback']);
  });

  test('no forward state can end the execution without passing the rollback, except success', () => {
    for (const n of forward) {
      const s = provision.States[n];
      if (s.Type === 'Fail') throw new Error(`${n} fails without rollback`);
      expect(
        reachable(provision, n).has('ClaimRollback') ||
          s.End === true ||
          s.Type === 'Succeed' ||
          successors(s).every((x) => isAnswer(provision.States[x]) || provision.States[x].Type === 'Succeed'),
      ).toBe(true);
    }
  });

  test('the rollback runs the teardown machine synchronously and always records the failure', () => {
    const r = provision.States.Rollback;
    expect(r.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(r.Parameters.StateMachineArn).toEqual({ Ref: 'TeardownStateMachine' });
    expect(r.Parameters.Input.mode).toBe('rollback');
    expect(r.Next).toBe('RecordFailed');
    expect(r.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordFailed' });
    expect(provision.States.RecordFailed.Next).toBe('AnswerProvisionFailed');
    expect(provision.States.AnswerProvisionFailed.Next).toBe('ProvisioningFailed');
    expect(provision.States.ProvisioningFailed.Type).toBe('Fail');
  });

  test('gateway and ENIs run in parallel; permissions need both', () => {
    const p = provision.States.ProvisionResources;
    expect(p.Type).toBe('Parallel');
    expect(p.Branches.map((b: Machine) => b.StartAt).sort()).toEqual(['CreateGateway', 'CreateSecurityGroup']);
    expect(p.Next).toBe('GrantPermissions');
    const map = p.Branches[1].States.CreateEnis;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
    expect(map.MaxConcurrencyPath).toBe('$.limits.eniMaxConcurrency');
  });

  test('Wait intervals match the constants the deadlines are computed from', () => {
    expect(provision.States.ProvisionResources.Branches[0].States.WaitForGateway.Seconds).toBe(GATEWAY_POLL_SECONDS);
    expect(provision.States.WaitForAccessPoint.Seconds).toBe(ACCESS_POINT_POLL_SECONDS);
    expect(teardown.States.WaitForAccessPointDeletion.Seconds).toBe(DELETION_POLL_SECONDS);
    expect(teardown.States.WaitForGatewayDeletion.Seconds).toBe(DELETION_POLL_SECONDS);
  });
});

describe('teardown', () => {
  test('deletes in the safe order: access point gone, permissions, ENIs, security group, gateway', () => {
    const order = [
      'DeleteAccessPoint',
      'RevokePermissions',
      'DeleteEnis',
      'DeleteSecurityGroup',
      'DeleteGateway',
      'FinishTeardown',
    ];
    for (let i = 0; i < order.length - 1; i++) {
      expect(reachable(teardown, order[i]).has(order[i + 1])).toBe(true);
      expect(reachable(teardown, order[i + 1]).has(order[i])).toBe(false);
    }
  });

  test('permissions are revoked only after the access point is confirmed gone', () => {
    const preds = Object.entries(teardown.States)
      .filter(([, s]) => successors(s).includes('RevokePermissions'))
      .map(([n]) => n);
    expect(preds).toEqual(['IsAccessPointGone']);
    const rule = teardown.States.IsAccessPointGone.Choices.find((c: State) => c.Next === 'RevokePermissions');
    expect(rule).toEqual({ Variable: '$.accessPointDeletion.gone', BooleanEquals: true, Next: 'RevokePermissions' });
  });

  test('a failure to remove the access point skips straight to the inventory (never revokes under a live access point)', () => {
    for (const n of ['DeleteAccessPoint', 'CheckAccessPointGone']) {
      expect(teardown.States[n].Catch[0].Next).toBe('FinishTeardown');
    }
    expect(teardown.States.AccessPointDeletionDeadlineExceeded.Next).toBe('FinishTeardown');
  });

  test('in-use deletes are retried with a bound, then recorded and passed on', () => {
    for (const n of ['RevokePermissions', 'DeleteEnis', 'DeleteSecurityGroup']) {
      const r = teardown.States[n].Retry.find((x: State) => x.ErrorEquals.includes('ResourceInUse'));
      expect(r.MaxAttempts).toBeGreaterThan(0);
      expect(r.MaxAttempts).toBeLessThanOrEqual(10);
      expect(teardown.States[n].Catch[0].ErrorEquals).toEqual(['States.ALL']);
    }
  });

  test('an unconfirmed deletion (NotFound within the grace period) is retried with a bound, then recorded and passed on', () => {
    for (const n of ['DeleteEnis', 'DeleteSecurityGroup']) {
      const r = teardown.States[n].Retry.find((x: State) => x.ErrorEquals.includes('DeletionUnconfirmed'));
      expect(r).toMatchObject({ ErrorEquals: [...UNCONFIRMED_DELETION_ERROR_NAMES], JitterStrategy: 'FULL' });
      expect(r.MaxAttempts).toBeLessThanOrEqual(10);
      expect(teardown.States[n].Catch[0].ErrorEquals).toEqual(['States.ALL']);
    }
  });

  test('every path ends in FinishTeardown or a no-op', () => {
    for (const n of Object.keys(teardown.States)) {
      const r = reachable(teardown, n);
      expect(
        r.has('FinishTeardown') ||
          [
            'NothingToTearDown',
            'TeardownDone',
            'TeardownFailed',
            'CheckTeardownOutcome',
            'IsNothingToDo',
            'BeginTeardown',
            'TeardownRefused',
          ].includes(n) ||
          isAnswer(teardown.States[n]) ||
          r.has('NothingToTearDown'),
      ).toBe(true);
    }
  });
});

// ------------------------------------------------------------------ day 2 (issue 10)
describe('plan', () => {
  test('one read-only Task (planRequest): nothing else runs, nothing is created', () => {
    const tasks = allStates(plan).filter(({ state }) => state.Type === 'Task');
    expect(tasks.map(({ state }) => lambdaKey(state))).toEqual(['planRequest']);
    expect(plan.States[plan.StartAt].End).toBe(true);
  });
});

describe('drift', () => {
  test('pages through connections: bounded concurrency, a pause between pages, a page limit', () => {
    const map = drift.States.CheckConnections;
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(DRIFT_CHECK_CONCURRENCY);
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
    expect(drift.States.PauseBetweenPages.Seconds).toBe(DRIFT_PAGE_PAUSE_SECONDS);
    expect(reachable(drift, 'PauseBetweenPages').has('ListConnections')).toBe(true);
  });

  test('one failing check does not stop the run: CheckDrift catches everything inside the Map', () => {
    const check = drift.States.CheckConnections.ItemProcessor.States.CheckDrift;
    expect(check.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CheckFailed' }]);
  });

  test('only read-only and record-keeping functions run (no EC2 or Confluent change)', () => {
    const keys = allStates(drift)
      .map(({ state }) => lambdaKey(state))
      .filter(Boolean)
      .sort();
    expect(keys).toEqual(['checkDrift', 'listConnections']);
  });
});

describe('repair', () => {
  test('once the lock is taken, every path reaches FinishRepair (which releases it)', () => {
    const afterLock = [...reachable(repair, 'IsNothingToRepair')].filter(
      (n) =>
        ![
          'NothingToRepair',
          'FinishRepair',
          'ReleaseRepairLock',
          'IsRepaired',
          'Repaired',
          'RepairIncomplete',
        ].includes(n),
    );
    for (const n of afterLock)
      expect({ n, finishes: reachable(repair, n).has('FinishRepair') }).toEqual({ n, finishes: true });
    for (const n of ['RepairConnection', 'GetAccessPointStatus'])
      expect(repair.States[n].Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'FinishRepair' });
  });

  test('a FinishRepair that fails for good still releases the lock (ReleaseRepairLock, same function, no re-check)', () => {
    expect(repair.States.FinishRepair.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.finishError', Next: 'ReleaseRepairLock' },
    ]);
    const release = repair.States.ReleaseRepairLock;
    expect(release).toMatchObject({
      Type: 'Task',
      Resource: repair.States.FinishRepair.Resource,
      Next: 'RepairIncomplete',
    });
    expect(release.Retry).toEqual(repair.States.FinishRepair.Retry);
  });

  test('a refusal before the lock fails the execution with its own error (no lock to release)', () => {
    expect(repair.States.BeginRepair.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RepairRefused' });
    expect(repair.States.RepairRefused).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  test('after a PATCH it waits for the access point like provisioning does (same interval, same deadline)', () => {
    expect(repair.States.WaitForAccessPoint.Seconds).toBe(ACCESS_POINT_POLL_SECONDS);
    expect(lambdaKey(repair.States.GetAccessPointStatus)).toBe('getAccessPointStatus');
    const deadline = repair.States.IsAccessPointReady.Choices.find((c: State) => c.NumericGreaterThanEqualsPath);
    expect(deadline.NumericGreaterThanEqualsPath).toBe('$.limits.accessPointMaxPolls');
  });
});

describe('Service Catalog answer states (issue 9)', () => {
  const machines = { provision, teardown, update } as const;
  test.each(Object.keys(machines))(
    '%s: every answer state passes the outcome on unchanged, even when it fails',
    (name) => {
      const m = machines[name as keyof typeof machines];
      const answers = allStates(m).filter(({ state }) => isAnswer(state));
      expect(answers.length).toBeGreaterThanOrEqual(2);
      for (const { name: n, state } of answers) {
        expect({ n, resultPath: state.ResultPath }).toEqual({ n, resultPath: null });
        expect({ n, catch: state.Catch }).toEqual({
          n,
          catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: state.Next }],
        });
        expect(state.Parameters['input.$']).toBe('$$.Execution.Input');
        expect(state.Parameters['executionArn.$']).toBe('$$.Execution.Id');
      }
    },
  );
  test('provision answers at each end: succeeded, failed (after the rollback), rejected; and at the deadline while waiting', () => {
    expect(provision.States.RecordSucceeded.Next).toBe('AnswerProvisionSucceeded');
    expect(provision.States.AnswerProvisionSucceeded.Next).toBe('ProvisioningSucceeded');
    expect(provision.States.RejectRequest.Next).toBe('AnswerRequestRejected');
    expect(provision.States.AnswerRequestRejected.Next).toBe('RequestRejected');
    expect(reachable(provision, 'Rollback').has('AnswerProvisionFailed')).toBe(true);
    expect(provision.States.AnswerCloudFormationIfDue.Parameters.interim).toBe(true);
    expect(reachable(provision, 'WaitForAccessPoint').has('AnswerCloudFormationIfDue')).toBe(true);
  });
  test('teardown answers at each end: done, failed, nothing to do, refused', () => {
    // No end is reachable from the start without passing an answer state.
    const seen = new Set<string>();
    const stack = [teardown.StartAt];
    while (stack.length) {
      const n = stack.pop() as string;
      if (seen.has(n) || isAnswer(teardown.States[n])) continue;
      seen.add(n);
      stack.push(...successors(teardown.States[n]));
    }
    for (const end of ['TeardownDone', 'TeardownFailed', 'NothingToTearDown', 'TeardownRefused'])
      expect({ end, withoutAnswer: seen.has(end) }).toEqual({ end, withoutAnswer: false });
  });
});

describe('update', () => {
  test('validates first; every failure is recorded (lastUpdate, lock, event) and answered before the execution fails', () => {
    expect(update.StartAt).toBe('ValidateUpdate');
    for (const { name: n, state } of allStates(update).filter(
      ({ state }) => state.Type === 'Task' && !isAnswer(state),
    )) {
      if (n === 'RecordUpdateFailed') continue;
      expect({ n, next: state.Catch?.[0]?.Next }).toEqual({ n, next: 'RecordUpdateFailed' });
    }
    expect(update.States.RecordUpdateFailed.Next).toBe('AnswerUpdateFailed');
    expect(update.States.AnswerUpdateFailed.Next).toBe('UpdateFailed');
    expect(update.States.UpdateFailed).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });
  test('routes are PATCHed and the access point is READY again before the security group changes', () => {
    expect(reachable(update, 'UpdateAccessPointRoutes').has('GetAccessPointStatus')).toBe(true);
    const ready = update.States.IsAccessPointReady.Choices.find((c: State) => c.BooleanEquals === true);
    expect(ready.Next).toBe('UpdateSecurityGroupIngress');
    expect(update.States.WaitForAccessPoint.Seconds).toBe(ACCESS_POINT_POLL_SECONDS);
  });
});
