/**
 * Turns aws-local-stepfunctions event logs into AWS-like GetExecutionHistory events.
 *
 * The library reports state-level events (entered / exited / failed / retried / caught, Map iterations,
 * Parallel branches); the Lambda- and Task-level events AWS shows in between are synthesized from them:
 * StateEntered of a Lambda task -> TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted;
 * StateExited -> LambdaFunctionSucceeded, TaskStateExited; StateFailed -> LambdaFunctionFailed (or
 * ...TimedOut); StateRetried -> a new LambdaFunctionScheduled/Started pair. The synthesized Lambda events
 * carry the resource, error and cause, but not the raw Lambda payload/result (the library does not expose them).
 */
import type { StateInfo } from './definition.js';

export interface HistoryEventLike {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

const STATE_TYPE_PREFIX: Record<string, string> = {
  Task: 'Task',
  Pass: 'Pass',
  Wait: 'Wait',
  Choice: 'Choice',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Map: 'Map',
  Parallel: 'Parallel',
};

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function json(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}

export interface TerminalInfo {
  /** Set when the service timed the execution out (the library reports it as an abort). */
  timedOut: boolean;
  stopError?: string;
  stopCause?: string;
}

/**
 * The raw payloads / results of the task handlers, per state name, in call order. The library calls a Task's
 * handler in the same tick as it dispatches StateEntered / StateRetried, so for states that are not inside a
 * Map (at most one instance in flight per name) the n-th StateEntered|StateRetried of a name belongs to the
 * n-th handler call. Map-nested tasks are not recorded (their iterations interleave).
 */
export class TaskIO {
  private readonly params = new Map<string, unknown[]>();
  private readonly results = new Map<string, unknown[]>();
  pushParams(name: string, v: unknown): void {
    const q = this.params.get(name) ?? [];
    this.params.set(name, q);
    q.push(v);
  }
  pushResult(name: string, v: unknown): void {
    const q = this.results.get(name) ?? [];
    this.results.set(name, q);
    q.push(v);
  }
  takeParams(name: string): { found: boolean; value?: unknown } {
    const q = this.params.get(name);
    return q?.length ? { found: true, value: q.shift() } : { found: false };
  }
  takeResult(name: string): { found: boolean; value?: unknown } {
    const q = this.results.get(name);
    return q?.length ? { found: true, value: q.shift() } : { found: false };
  }
}

export class HistoryRecorder {
  readonly events: HistoryEventLike[] = [];
  private failed = new Set<string>();

  constructor(
    private readonly index: Map<string, StateInfo>,
    private readonly region: string,
    private readonly roleArn: string,
    readonly io: TaskIO = new TaskIO(),
  ) {}

  private push(type: string, timestamp: number, details?: [string, Record<string, unknown>]): void {
    const id = this.events.length + 1;
    const ev: HistoryEventLike = { timestamp: new Date(timestamp), type, id, previousEventId: id - 1 };
    if (details) ev[details[0]] = details[1];
    this.events.push(ev);
  }

  private taskResource(info: StateInfo | undefined): { resourceType: string; resource: string } {
    const r = info?.task?.resource ?? '';
    const m = /^arn:aws:states:::([^:]+):(.+)$/.exec(r);
    if (m) return { resourceType: m[1], resource: m[2] };
    const svc = /^arn:aws:([^:]+):/.exec(r);
    return { resourceType: svc ? svc[1] : 'unknown', resource: r };
  }

  private taskStarted(info: StateInfo | undefined, ts: number): void {
    const task = info?.task;
    if (!task || task.kind === 'scaledWait') return;
    const p = info!.inMap ? { found: false } : this.io.takeParams(info!.name);
    if (task.kind === 'lambda') {
      this.push('LambdaFunctionScheduled', ts, [
        'lambdaFunctionScheduledEventDetails',
        {
          resource: task.resource,
          ...(p.found ? { input: json(p.value), inputDetails: { truncated: false } } : {}),
          ...(typeof info!.def.TimeoutSeconds === 'number' ? { timeoutInSeconds: info!.def.TimeoutSeconds } : {}),
        },
      ]);
      this.push('LambdaFunctionStarted', ts);
      return;
    }
    const { resourceType, resource } = this.taskResource(info);
    this.push('TaskScheduled', ts, [
      'taskScheduledEventDetails',
      {
        resourceType,
        resource,
        region: this.region,
        ...(p.found ? { parameters: json(p.value) } : {}),
        ...(typeof info!.def.TimeoutSeconds === 'number' ? { timeoutInSeconds: info!.def.TimeoutSeconds } : {}),
      },
    ]);
    this.push('TaskStarted', ts, ['taskStartedEventDetails', { resourceType, resource }]);
  }

  /** Records one library event. `terminal` says how to report an abort (stop versus timeout). */
  // biome-ignore lint/suspicious/noExplicitAny: aws-local-stepfunctions does not export its EventLog union; every field is read defensively (?. and typeof checks)
  record(ev: any, terminal: TerminalInfo): void {
    const ts: number = typeof ev?.timestamp === 'number' ? ev.timestamp : Date.now();
    const name: string | undefined = ev?.state?.name;
    const info = name ? this.index.get(name) : undefined;
    const type = info?.type ?? ev?.state?.type ?? 'Task';
    const prefix = STATE_TYPE_PREFIX[type] ?? type;
    const key = `${name}#${ev?.index ?? ''}`;
    switch (ev?.type) {
      case 'ExecutionStarted':
        this.push('ExecutionStarted', ts, [
          'executionStartedEventDetails',
          {
            input: json(ev.input),
            inputDetails: { truncated: false },
            roleArn: this.roleArn,
          },
        ]);
        break;
      case 'ExecutionSucceeded':
        this.push('ExecutionSucceeded', ts, [
          'executionSucceededEventDetails',
          { output: json(ev.output), outputDetails: { truncated: false } },
        ]);
        break;
      case 'ExecutionFailed':
        this.push('ExecutionFailed', ts, [
          'executionFailedEventDetails',
          { error: str(ev.Error), cause: str(ev.Cause) },
        ]);
        break;
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        if (terminal.timedOut || ev.type === 'ExecutionTimeout') {
          this.push('ExecutionTimedOut', ts, ['executionTimedOutEventDetails', { error: 'States.Timeout' }]);
        } else {
          this.push('ExecutionAborted', ts, [
            'executionAbortedEventDetails',
            {
              ...(terminal.stopError !== undefined ? { error: terminal.stopError } : {}),
              ...(terminal.stopCause !== undefined ? { cause: terminal.stopCause } : {}),
            },
          ]);
        }
        break;
      case 'StateEntered':
        this.failed.delete(key);
        this.push(`${prefix}StateEntered`, ts, [
          'stateEnteredEventDetails',
          { name, input: json(ev.state.input), inputDetails: { truncated: false } },
        ]);
        if (type === 'Task') this.taskStarted(info, ts);
        if (type === 'Map') {
          this.push('MapStateStarted', ts, ['mapStateStartedEventDetails', {}]);
        }
        if (type === 'Parallel') this.push('ParallelStateStarted', ts);
        break;
      case 'StateExited':
        if (!this.failed.has(key)) {
          if (type === 'Task' && info?.task && info.task.kind !== 'scaledWait') {
            const r = info.inMap ? { found: false } : this.io.takeResult(info.name);
            const out = r.found ? { output: json(r.value), outputDetails: { truncated: false } } : {};
            if (info.task.kind === 'lambda')
              this.push('LambdaFunctionSucceeded', ts, ['lambdaFunctionSucceededEventDetails', out]);
            else {
              const { resourceType, resource } = this.taskResource(info);
              this.push('TaskSucceeded', ts, ['taskSucceededEventDetails', { resourceType, resource, ...out }]);
            }
          }
          if (type === 'Map') this.push('MapStateSucceeded', ts);
          if (type === 'Parallel') this.push('ParallelStateSucceeded', ts);
        }
        this.failed.delete(key);
        this.push(`${prefix}StateExited`, ts, [
          'stateExitedEventDetails',
          { name, output: json(ev.state.output), outputDetails: { truncated: false } },
        ]);
        break;
      case 'StateFailed': {
        this.failed.add(key);
        const error = str(ev.Error);
        const cause = str(ev.Cause);
        const timedOut = error === 'States.Timeout';
        if (type === 'Task' && info?.task && info.task.kind !== 'scaledWait') {
          if (info.task.kind === 'lambda') {
            this.push(timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', ts, [
              timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
              { error, cause },
            ]);
          } else {
            const { resourceType, resource } = this.taskResource(info);
            this.push(timedOut ? 'TaskTimedOut' : 'TaskFailed', ts, [
              timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails',
              { resourceType, resource, error, cause },
            ]);
          }
        } else if (type === 'Map') this.push('MapStateFailed', ts);
        else if (type === 'Parallel') this.push('ParallelStateFailed', ts);
        break;
      }
      case 'StateRetried':
        this.failed.delete(key);
        if (type === 'Task') this.taskStarted(info, ts);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `${ev.type.charAt(0).toLowerCase()}${ev.type.slice(1)}EventDetails`;
        this.push(ev.type, ts, [detailsKey, { name: ev.parentState?.name, index: ev.index }]);
        break;
      }
      default:
        // StateCaught, ParallelBranch*: AWS has no history event for them.
        break;
    }
  }
}
