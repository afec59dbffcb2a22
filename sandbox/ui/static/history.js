// What an execution's history (GetExecutionHistory) says about each state of its machine: how often it ran,
// how it ended (succeeded, failed, caught, cancelled) or that it is running, its retries and Map iterations,
// and the nested executions a startExecution task ran.
//
// Attribution follows the sandbox's history (and AWS's): a Lambda/Task "Scheduled" event directly after a
// TaskStateEntered belongs to that state, a later one (a retry) to the open state with that resource; a Task, Map or
// Parallel exit that does not directly follow its Succeeded event was caught.

/**
 * @typedef {'notrun' | 'running' | 'succeeded' | 'failed' | 'caught' | 'cancelled'} StateStatus
 * @typedef {{ status: StateStatus, entered: number, exited: number, retries: number, caught: number,
 *   iterations?: { started: number, succeeded: number, failed: number }, child?: string }} StateRun
 */

const SUCCEEDED_BEFORE_EXIT = new Set([
  'LambdaFunctionSucceeded',
  'TaskSucceeded',
  'MapStateSucceeded',
  'ParallelStateSucceeded',
]);
const FAILURES = new Set(['LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'TaskFailed', 'TaskTimedOut']);

function scheduledResource(ev) {
  if (ev.lambdaFunctionScheduledEventDetails) return ev.lambdaFunctionScheduledEventDetails.resource;
  const d = ev.taskScheduledEventDetails;
  return d ? `arn:aws:states:::${d.resourceType}:${d.resource}` : undefined;
}

/** The nested execution a startExecution(.sync) task reports in its output or failure cause. */
function childArn(ev) {
  const text = ev.taskSucceededEventDetails?.output ?? ev.taskFailedEventDetails?.cause;
  if (!text) return undefined;
  try {
    return JSON.parse(text).ExecutionArn;
  } catch {
    return undefined;
  }
}

/**
 * @param {import('./asl.js').Machine} machine
 * @param {any[]} events GetExecutionHistory events, oldest first
 * @param {string} executionStatus DescribeExecution status
 * @returns {Map<string, StateRun>}
 */
export function stateRuns(machine, events, executionStatus) {
  /** @type {Map<string, StateRun & { open: number, lastScheduled: number, lastFailure: number, blockFailed: boolean, last?: StateStatus }>} */
  const runs = new Map();
  for (const name of machine.states.keys()) {
    runs.set(name, {
      status: 'notrun',
      entered: 0,
      exited: 0,
      retries: 0,
      caught: 0,
      open: 0,
      lastScheduled: 0,
      lastFailure: 0,
      blockFailed: false,
    });
  }
  const openWithResource = (resource) =>
    [...runs.entries()].filter(([n, r]) => r.open > 0 && machine.states.get(n)?.resource === resource);
  let scheduledCount = 0;

  events.forEach((ev, i) => {
    const prev = events[i - 1];
    const entered = ev.stateEnteredEventDetails?.name;
    const exited = ev.stateExitedEventDetails?.name;
    if (entered && runs.has(entered)) {
      const r = runs.get(entered);
      r.entered += 1;
      r.open += 1;
      r.blockFailed = false;
      if (ev.type === 'MapStateEntered') r.iterations ??= { started: 0, succeeded: 0, failed: 0 };
      if (ev.type === 'SucceedStateEntered') r.last = 'succeeded';
      if (ev.type === 'FailStateEntered') r.last = 'failed';
    } else if (exited && runs.has(exited)) {
      const r = runs.get(exited);
      r.exited += 1;
      r.open = Math.max(0, r.open - 1);
      const wasCaught = /^(Task|Map|Parallel)StateExited$/.test(ev.type) && !SUCCEEDED_BEFORE_EXIT.has(prev?.type);
      if (wasCaught) r.caught += 1;
      r.last = wasCaught ? 'caught' : 'succeeded';
    } else if (ev.type === 'LambdaFunctionScheduled' || ev.type === 'TaskScheduled') {
      scheduledCount += 1;
      const first = prev?.type === 'TaskStateEntered' ? prev.stateEnteredEventDetails.name : undefined;
      const owner = first ?? openWithResource(scheduledResource(ev))[0]?.[0];
      const r = owner ? runs.get(owner) : undefined;
      if (r) {
        if (!first) r.retries += 1;
        r.lastScheduled = scheduledCount;
      }
    } else if (FAILURES.has(ev.type)) {
      // Failure events carry no state name: every open task scheduled before it may be the one that failed.
      for (const r of runs.values()) if (r.open > 0 && r.lastScheduled > 0) r.lastFailure = scheduledCount;
    } else if (ev.type === 'MapStateFailed' || ev.type === 'ParallelStateFailed') {
      const type = ev.type.startsWith('Map') ? 'Map' : 'Parallel';
      for (const [n, r] of runs) if (r.open > 0 && machine.states.get(n)?.type === type) r.blockFailed = true;
    } else if (ev.type.startsWith('MapIteration')) {
      const r = runs.get(ev[`${ev.type[0].toLowerCase()}${ev.type.slice(1)}EventDetails`]?.name);
      if (r?.iterations) {
        if (ev.type === 'MapIterationStarted') r.iterations.started += 1;
        if (ev.type === 'MapIterationSucceeded') r.iterations.succeeded += 1;
        if (ev.type === 'MapIterationFailed') r.iterations.failed += 1;
      }
    }
    if (ev.type === 'TaskSucceeded' || ev.type === 'TaskFailed') {
      const arn = childArn(ev);
      const d = ev.taskSucceededEventDetails ?? ev.taskFailedEventDetails;
      const owner = openWithResource(`arn:aws:states:::${d.resourceType}:${d.resource}`)[0]?.[0];
      if (arn && owner) runs.get(owner).child = arn;
    }
  });

  const closed = (name) => {
    if (executionStatus !== 'RUNNING') return true;
    const parent = machine.states.get(name)?.parent;
    if (!parent) return false;
    const p = runs.get(parent);
    return p.open === 0 || p.blockFailed || closed(parent);
  };
  for (const [name, r] of runs) {
    const info = machine.states.get(name);
    if (r.entered === 0) r.status = 'notrun';
    else if (r.open > 0 && info.type !== 'Fail' && info.type !== 'Succeed') {
      if (!closed(name) && !r.blockFailed) r.status = 'running';
      else if (r.blockFailed) r.status = 'failed';
      else if (info.inMap) r.status = runs.get(info.parent).iterations?.failed ? 'failed' : 'cancelled';
      else r.status = r.lastFailure > 0 && r.lastFailure >= r.lastScheduled ? 'failed' : 'cancelled';
    } else r.status = r.last ?? 'succeeded';
  }
  return runs;
}

/** The nested executions a history started, with the state that started each. */
export function childExecutions(runs) {
  return [...runs].filter(([, r]) => r.child).map(([state, r]) => ({ state, executionArn: r.child }));
}
