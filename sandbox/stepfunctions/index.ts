/**
 * The sandbox's Step Functions: the project's real ASL definitions (from serverless.yml) run with
 * aws-local-stepfunctions, Lambda tasks run the real handlers in-process, `states:startExecution.sync(:2)`
 * runs the nested machine in this same service. Speaks the AWS JSON 1.0 wire protocol (AWSStepFunctions.*).
 * Differences from AWS: sandbox/stepfunctions/README.md (and comments at the places concerned).
 */
import { awsJsonResponder, readAwsJsonBody } from '../awsJson.js';
import '../polyfills.js';
import { randomUUID } from 'node:crypto';
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import type { FaultRegistry } from '../faults.js';
import type { ServerlessConfig } from '../serverlessConfig.js';
import type { Profile, SandboxRequest, SandboxResponse } from '../types.js';
import {
  buildRunDefinition,
  cloneJson,
  functionKeyFromRef,
  indexStates,
  lambdaArn,
  MAX_TIMER_SECONDS,
  resolveCloudFormation,
  stateMachineArnOf,
  waitOverrides,
  type ArnContext,
  type AslNode,
  type StateInfo,
} from './definition.js';
import { readPath } from '../jsonpath.js';
import { HistoryRecorder, type HistoryEventLike } from './history.js';
import { createLambdaInvoker, type LambdaInvoker } from './lambda.js';

export type { LambdaInvoker } from './lambda.js';
export type { HistoryEventLike } from './history.js';
export { LambdaFunctionError } from './lambda.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'];

export interface DescribeExecutionOutputLike {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveStatus: 'NOT_REDRIVABLE';
}

export interface ExecutionListItemLike {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  redriveCount: number;
}

/** An AWS Step Functions API error (`__type` on the wire). */
export class StepFunctionsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export interface StepFunctionsServiceOptions {
  config: ServerlessConfig;
  accountId: string;
  region: string;
  profile: () => Profile;
  faults: FaultRegistry;
  env?: Record<string, string>;
  /** Replaces the in-process Lambda runtime (tests). */
  invoke?: LambdaInvoker;
}

/** The run's input as aws-local-stepfunctions types it (its JSONValue is not exported). */
type RunInput = Parameters<StateMachine['run']>[0];
/** The library's Task handler table (its type is not exported either). */
type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
/** One event of aws-local-stepfunctions' event log, as onEvent() listeners receive it (fields read defensively). */
export type ExecutionEvent = { type?: string; [field: string]: unknown };

interface Machine {
  key: string;
  arn: string;
  name: string;
  /** Definition with CloudFormation objects replaced by ARNs (what DescribeStateMachine shows). */
  resolved: AslNode;
  index: Map<string, StateInfo>;
  timeoutSeconds?: number;
  creationDate: Date;
  runDefs: Map<number, AslNode>;
}

interface Execution {
  arn: string;
  machine: Machine;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryRecorder;
  terminal: { timedOut: boolean; stopError?: string; stopCause?: string };
  abortLibrary?: () => void;
  abort: AbortController;
  children: Set<string>;
  timer?: NodeJS.Timeout;
  /** Resolved when the run is over AND its event log is fully recorded. */
  finished: Promise<void>;
  resolveFinished: () => void;
  isFinished: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: AWS forbids control characters in execution names; matching them is the point
const NAME_RE = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
const MAX_INPUT_BYTES = 262_144;
const EXEC_ARN_RE = /^arn:aws:states:([^:]+):(\d{12}):execution:([^:]+):([^:]+)$/;
const SM_ARN_RE = /^arn:aws:states:([^:]+):(\d{12}):stateMachine:([^:]+)$/;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, Math.min(ms, 2_147_483_647)),
    );
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits for `p`, at most `ms` (the timer does not outlive the wait). */
async function atMost(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * aws-local-stepfunctions still starts the queued Map iterations of an aborted run (each runs its first
 * state); AWS schedules nothing after StopExecution. Task handlers refuse to run once the execution closed.
 */
function notRunning(exec: { status: string; arn: string }, state: string): Promise<never> {
  return Promise.reject(
    namedError('States.Aborted', `execution ${exec.arn} is ${exec.status}; task '${state}' not started`),
  );
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}
function decodeToken(token: string | undefined): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const o = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    /* fall through */
  }
  throw new StepFunctionsError('InvalidToken', `Invalid Token: '${token}'`);
}

function pageSize(maxResults: unknown): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new StepFunctionsError(
      'ValidationException',
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
    );
  }
  return maxResults;
}

/** JSON for the wire: Dates as epoch seconds (what the AWS JSON protocols send). */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

export class StepFunctionsService {
  private readonly ctx: ArnContext;
  private readonly machines = new Map<string, Machine>(); // by ARN
  private executions = new Map<string, Execution>(); // by ARN, insertion = start order
  private readonly listeners = new Set<(executionArn: string, event: ExecutionEvent) => void>();
  /** Runs a function in-process (also usable by other sandbox parts, e.g. a Lambda Invoke endpoint). */
  readonly invokeLambda: LambdaInvoker;

  constructor(private readonly opts: StepFunctionsServiceOptions) {
    this.ctx = { config: opts.config, accountId: opts.accountId, region: opts.region };
    this.invokeLambda = opts.invoke ?? createLambdaInvoker(opts);
    const created = new Date();
    for (const sm of Object.values(opts.config.stateMachines)) {
      const resolved = resolveCloudFormation(this.ctx, sm.definition);
      try {
        // Validates (asl-validator mutates its input: give it a copy).
        new StateMachine(cloneJson(resolved));
      } catch (e) {
        throw new Error(`state machine "${sm.key}" (${sm.definitionPath || 'inline'}): ${(e as Error).message}`);
      }
      // Tasks with a resource the sandbox does not emulate are not fatal here: they fail at run time, clearly.
      const index = indexStates(this.ctx, sm.key, resolved);
      const arn = stateMachineArnOf(this.ctx, sm.key);
      this.machines.set(arn, {
        key: sm.key,
        arn,
        name: sm.name,
        resolved,
        index,
        timeoutSeconds: typeof resolved.TimeoutSeconds === 'number' ? resolved.TimeoutSeconds : undefined,
        creationDate: created,
        runDefs: new Map(),
      });
    }
  }

  stateMachineArn(key: string): string {
    if (!this.opts.config.stateMachines[key]) throw new Error(`unknown state machine key "${key}"`);
    return stateMachineArnOf(this.ctx, key);
  }

  /** Lambda ARN of a serverless.yml function key. */
  functionArn(key: string): string {
    return lambdaArn(this.ctx, key);
  }

  onEvent(listener: (executionArn: string, event: ExecutionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- API

  startExecution(input: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const smArn = input?.stateMachineArn;
    if (typeof smArn !== 'string' || !smArn)
      throw new StepFunctionsError(
        'ValidationException',
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
      );
    const machine = this.machineByArn(smArn);
    const name = input.name ?? randomUUID();
    if (typeof name !== 'string' || !NAME_RE.test(name))
      throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    const rawInput = input.input ?? '{}';
    if (typeof rawInput !== 'string')
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input must be a string',
      );
    if (Buffer.byteLength(rawInput, 'utf8') > MAX_INPUT_BYTES) {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: the input exceeds ${MAX_INPUT_BYTES} bytes`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawInput);
    } catch (e) {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(e as Error).message}'`,
      );
    }
    const arn = `arn:aws:states:${this.opts.region}:${this.opts.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      // Standard workflows: same name + same input while RUNNING is idempotent; anything else is refused.
      if (existing.status === 'RUNNING' && existing.input === rawInput)
        return { executionArn: arn, startDate: existing.startDate };
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    let resolveFinished!: () => void;
    const finished = new Promise<void>((r) => (resolveFinished = r));
    const exec: Execution = {
      arn,
      machine,
      name,
      input: rawInput,
      status: 'RUNNING',
      startDate: new Date(),
      history: new HistoryRecorder(machine.index, this.opts.region, this.roleArn(machine)),
      terminal: { timedOut: false },
      abort: new AbortController(),
      children: new Set(),
      finished,
      resolveFinished,
      isFinished: false,
    };
    this.executions.set(arn, exec);
    this.launch(exec, parsed);
    return { executionArn: arn, startDate: exec.startDate };
  }

  describeExecution(arn: string): DescribeExecutionOutputLike {
    return this.describe(this.execByArn(arn));
  }

  getExecutionHistory(
    arn: string,
    opts: { maxResults?: number; nextToken?: string; reverseOrder?: boolean; includeExecutionData?: boolean } = {},
  ): { events: HistoryEventLike[]; nextToken?: string } {
    const exec = this.execByArn(arn);
    const size = pageSize(opts.maxResults);
    const offset = decodeToken(opts.nextToken);
    let all = exec.history.events.slice();
    if (opts.reverseOrder) all.reverse();
    if (opts.includeExecutionData === false) all = all.map(stripData);
    const events = all.slice(offset, offset + size);
    const next = offset + size < all.length ? encodeToken(offset + size) : undefined;
    return next ? { events, nextToken: next } : { events };
  }

  listExecutions(opts: { stateMachineArn: string; statusFilter?: string; maxResults?: number; nextToken?: string }): {
    executions: ExecutionListItemLike[];
    nextToken?: string;
  } {
    if (typeof opts?.stateMachineArn !== 'string')
      throw new StepFunctionsError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
    const machine = this.machineByArn(opts.stateMachineArn);
    if (opts.statusFilter !== undefined && !STATUSES.includes(opts.statusFilter as ExecutionStatus)) {
      throw new StepFunctionsError(
        'ValidationException',
        `1 validation error detected: Value '${opts.statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
      );
    }
    const size = pageSize(opts.maxResults);
    const offset = decodeToken(opts.nextToken);
    const all = [...this.executions.values()]
      .filter((e) => e.machine === machine && (!opts.statusFilter || e.status === opts.statusFilter))
      .reverse(); // newest first
    const executions = all.slice(offset, offset + size).map((e) => ({
      executionArn: e.arn,
      stateMachineArn: machine.arn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      redriveCount: 0,
    }));
    const next = offset + size < all.length ? encodeToken(offset + size) : undefined;
    return next ? { executions, nextToken: next } : { executions };
  }

  stopExecution(arn: string, error?: string, cause?: string): { stopDate: Date } {
    const exec = this.execByArn(arn);
    if (exec.status !== 'RUNNING') return { stopDate: exec.stopDate ?? new Date() };
    exec.terminal.stopError = error;
    exec.terminal.stopCause = cause;
    this.close(exec, 'ABORTED', { error, cause });
    return { stopDate: exec.stopDate! };
  }

  async waitForExecution(arn: string): Promise<DescribeExecutionOutputLike> {
    const exec = this.execByArn(arn);
    await exec.finished;
    return this.describe(exec);
  }

  describeStateMachine(arn: string): Record<string, unknown> {
    const m = this.machineByArn(arn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: JSON.stringify(m.resolved, null, 2),
      roleArn: this.roleArn(m),
      type: 'STANDARD',
      creationDate: m.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  listStateMachines(opts: { maxResults?: number; nextToken?: string } = {}): {
    stateMachines: Record<string, unknown>[];
    nextToken?: string;
  } {
    const size = pageSize(opts.maxResults);
    const offset = decodeToken(opts.nextToken);
    const all = [...this.machines.values()];
    const stateMachines = all
      .slice(offset, offset + size)
      .map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: m.creationDate }));
    const next = offset + size < all.length ? encodeToken(offset + size) : undefined;
    return next ? { stateMachines, nextToken: next } : { stateMachines };
  }

  snapshot(): unknown[] {
    return [...this.executions.values()].map((e) => toWire(this.describe(e)));
  }

  reset(): void {
    for (const e of this.executions.values()) {
      if (e.status === 'RUNNING') this.close(e, 'ABORTED', { error: 'SandboxReset', cause: 'the sandbox was reset' });
    }
    this.executions = new Map();
  }

  // ---------------------------------------------------------------- wire

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const requestId = randomUUID();
    const respond = awsJsonResponder('1.0', requestId);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    try {
      const body = readAwsJsonBody(req, (m) => new StepFunctionsError('SerializationException', m));
      switch (action) {
        case 'StartExecution':
          return respond(
            200,
            toWire(
              this.startExecution({
                stateMachineArn: body.stateMachineArn,
                name: body.name,
                input: body.input,
                traceHeader: body.traceHeader,
              }),
            ),
          );
        case 'StartSyncExecution':
          throw new StepFunctionsError(
            'StateMachineTypeNotSupported',
            'This operation is not supported by this type of state machine',
          );
        case 'DescribeExecution':
          return respond(200, toWire(this.describeExecution(this.requireArn(body.executionArn, 'executionArn'))));
        case 'GetExecutionHistory': {
          const arn = this.requireArn(body.executionArn, 'executionArn');
          const exec = this.execByArn(arn);
          // A closed execution's last events may still be on their way from the library: wait for them.
          if (exec.status !== 'RUNNING' && !exec.isFinished) await atMost(exec.finished, 2000);
          return respond(200, toWire(this.getExecutionHistory(arn, body)));
        }
        case 'ListExecutions':
          return respond(200, toWire(this.listExecutions(body)));
        case 'StopExecution':
          return respond(
            200,
            toWire(this.stopExecution(this.requireArn(body.executionArn, 'executionArn'), body.error, body.cause)),
          );
        case 'DescribeStateMachine':
          return respond(
            200,
            toWire(this.describeStateMachine(this.requireArn(body.stateMachineArn, 'stateMachineArn'))),
          );
        case 'DescribeStateMachineForExecution': {
          const exec = this.execByArn(this.requireArn(body.executionArn, 'executionArn'));
          const d = this.describeStateMachine(exec.machine.arn);
          return respond(
            200,
            toWire({
              stateMachineArn: d.stateMachineArn,
              name: d.name,
              definition: d.definition,
              roleArn: d.roleArn,
              updateDate: d.creationDate,
              loggingConfiguration: d.loggingConfiguration,
              tracingConfiguration: d.tracingConfiguration,
            }),
          );
        }
        case 'ListStateMachines':
          return respond(200, toWire(this.listStateMachines(body)));
        default:
          throw new StepFunctionsError(
            'UnknownOperationException',
            `The sandbox does not implement ${target || '(no x-amz-target)'}`,
          );
      }
    } catch (e) {
      if (e instanceof StepFunctionsError) return respond(e.status, { __type: e.code, message: e.message });
      return respond(500, { __type: 'InternalFailure', message: (e as Error)?.message ?? String(e) });
    }
  }

  // ---------------------------------------------------------------- internals

  private requireArn(v: unknown, field: string): string {
    if (typeof v !== 'string' || !v) {
      throw new StepFunctionsError(
        'ValidationException',
        `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return v;
  }

  private roleArn(m: Machine): string {
    return `arn:aws:iam::${this.opts.accountId}:role/${m.name}-role`.slice(0, 2048);
  }

  private machineByArn(arn: string): Machine {
    if (!SM_ARN_RE.test(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const m = this.machines.get(arn);
    if (!m) throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  private execByArn(arn: string): Execution {
    if (typeof arn !== 'string' || !EXEC_ARN_RE.test(arn))
      throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const e = this.executions.get(arn);
    if (!e) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private describe(e: Execution): DescribeExecutionOutputLike {
    const out: DescribeExecutionOutputLike = {
      executionArn: e.arn,
      stateMachineArn: e.machine.arn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      input: e.input,
      inputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
    if (e.stopDate) out.stopDate = e.stopDate;
    if (e.output !== undefined) {
      out.output = e.output;
      out.outputDetails = { included: true };
    }
    if (e.error !== undefined) out.error = e.error;
    if (e.cause !== undefined) out.cause = e.cause;
    return out;
  }

  /** Moves a RUNNING execution to a closed status and stops its local run (and its .sync children). */
  private close(
    e: Execution,
    status: ExecutionStatus,
    fields: { output?: string; error?: string; cause?: string },
  ): void {
    if (e.status !== 'RUNNING') return;
    e.status = status;
    e.stopDate = new Date();
    if (fields.output !== undefined) e.output = fields.output;
    if (fields.error !== undefined) e.error = fields.error;
    if (fields.cause !== undefined) e.cause = fields.cause;
    if (e.timer) clearTimeout(e.timer);
    if (status === 'ABORTED' || status === 'TIMED_OUT') {
      e.abort.abort();
      e.abortLibrary?.();
      for (const childArn of e.children) {
        const child = this.executions.get(childArn);
        if (child?.status === 'RUNNING') {
          this.close(child, 'ABORTED', {
            error: 'States.Aborted',
            cause: `the parent execution ${e.arn} was ${status === 'ABORTED' ? 'stopped' : 'timed out'}`,
          });
        }
      }
    }
  }

  private runDefinition(m: Machine, timeFactor: number): AslNode {
    let def = m.runDefs.get(timeFactor);
    if (!def) {
      def = buildRunDefinition(m.resolved, timeFactor);
      m.runDefs.set(timeFactor, def);
    }
    return def;
  }

  private emit(arn: string, ev: ExecutionEvent): void {
    for (const l of this.listeners) {
      try {
        l(arn, ev);
      } catch {
        /* a listener's failure is not the execution's */
      }
    }
  }

  private launch(exec: Execution, input: unknown): void {
    const m = exec.machine;
    const timeFactor = this.opts.profile().timeFactor;
    const sm = new StateMachine(this.runDefinition(m, timeFactor), { validationOptions: { noValidate: true } });
    const run = sm.run(input as RunInput, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(exec, timeFactor) as LocalHandlers,
        waitTimeOverrides: waitOverrides(m.index, timeFactor),
      },
      context: {
        Execution: {
          Id: exec.arn,
          Name: exec.name,
          StartTime: exec.startDate.toISOString(),
          Input: input as RunInput,
          RoleArn: this.roleArn(m),
          RedriveCount: 0,
        },
        StateMachine: { Id: m.arn, Name: m.name },
      },
    });
    exec.abortLibrary = run.abort;
    if (exec.status !== 'RUNNING') run.abort(); // stopped before we got here
    if (m.timeoutSeconds !== undefined) {
      exec.timer = setTimeout(() => {
        exec.terminal.timedOut = true;
        this.close(exec, 'TIMED_OUT', {
          error: 'States.Timeout',
          cause: `The execution exceeded the state machine's TimeoutSeconds (${m.timeoutSeconds} s)`,
        });
      }, Math.min(m.timeoutSeconds, MAX_TIMER_SECONDS) * 1000);
    }

    let failure: { error: string; cause: string } | undefined;
    const pump = (async () => {
      for await (const ev of run.eventLogs) {
        const e = ev as unknown as ExecutionEvent;
        if (e?.type === 'ExecutionFailed')
          failure = { error: String(e.Error), cause: typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause) };
        exec.history.record(e, exec.terminal);
        this.emit(exec.arn, e);
        // Nothing after the execution's own terminal event (late events of aborted Map iterations).
        if (
          e?.type === 'ExecutionSucceeded' ||
          e?.type === 'ExecutionFailed' ||
          e?.type === 'ExecutionAborted' ||
          e?.type === 'ExecutionTimeout'
        )
          break;
      }
    })().catch(() => undefined);

    void (async () => {
      try {
        const output = await run.result;
        this.close(exec, 'SUCCEEDED', { output: JSON.stringify(output === undefined ? null : output) });
      } catch (err) {
        if (exec.status === 'RUNNING') {
          const inner = (err as { cause?: unknown })?.cause as { name?: string; message?: string } | undefined;
          const error = failure?.error ?? inner?.name ?? (err as Error)?.name ?? 'States.Runtime';
          const cause = failure?.cause ?? inner?.message ?? (err as Error)?.message ?? '';
          this.close(exec, 'FAILED', { error, cause });
        }
      }
      // The library closes its event log on every terminal event; the race only guards against a library change.
      await atMost(pump, 2000);
      if (exec.timer) clearTimeout(exec.timer);
      exec.isFinished = true;
      exec.resolveFinished();
    })();
  }

  /** One local handler per Task state name (names are unique per machine, nested states included). */
  private taskHandlers(exec: Execution, timeFactor: number): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const info of exec.machine.index.values()) {
      const name = info.name;
      if (info.type === 'Wait') {
        handlers[name] = (input) =>
          exec.status === 'RUNNING' ? this.scaledWait(exec, info, input, timeFactor) : notRunning(exec, name);
        continue;
      }
      const task = info.task;
      if (!task) continue;
      let fn: (input: unknown) => Promise<unknown>;
      switch (task.kind) {
        case 'lambda':
          fn = (input) => this.invokeLambda(task.functionKey, input);
          break;
        case 'lambdaInvoke':
          fn = (input) => this.lambdaInvokeIntegration(input);
          break;
        case 'startExecution':
          fn = (input) => this.startExecutionIntegration(exec, task.mode, input);
          break;
        default:
          fn = async () => {
            throw namedError(
              'States.Runtime',
              `The sandbox does not emulate the Task resource '${task.resource}' (state '${name}')`,
            );
          };
      }
      if (info.inMap) {
        handlers[name] = (input) => (exec.status === 'RUNNING' ? fn(input) : notRunning(exec, name));
      } else {
        // Payload and result for the history (see TaskIO). The push must happen synchronously.
        const io = exec.history.io;
        handlers[name] = (input) => {
          if (exec.status !== 'RUNNING') return notRunning(exec, name);
          io.pushParams(name, input);
          return fn(input).then((r) => {
            io.pushResult(name, r);
            return r;
          });
        };
      }
    }
    return handlers;
  }

  /** A Wait with SecondsPath / Timestamp / TimestampPath, rewritten into a Task so its duration can be scaled. */
  private async scaledWait(exec: Execution, info: StateInfo, input: unknown, timeFactor: number): Promise<unknown> {
    const d = info.def;
    let ms = 0;
    const context = {
      Execution: {
        Id: exec.arn,
        Name: exec.name,
        StartTime: exec.startDate.toISOString(),
        Input: JSON.parse(exec.input),
      },
    };
    const read = (path: string): unknown => {
      const r = path.startsWith('$$') ? readPath(context, path.slice(1)) : readPath(input, path);
      if (!r.found)
        throw namedError(
          'States.Runtime',
          `An error occurred while executing the state '${info.name}'. Invalid path '${path}': The choice state's condition path references an invalid value.`,
        );
      return r.value;
    };
    if (d.SecondsPath !== undefined) {
      const v = read(d.SecondsPath);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw namedError(
          'States.Runtime',
          `An error occurred while executing the state '${info.name}'. The SecondsPath parameter does not reference a valid integer value: ${JSON.stringify(v)}`,
        );
      }
      ms = v * 1000;
    } else {
      const ts = d.Timestamp ?? read(d.TimestampPath);
      const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
      if (Number.isNaN(t)) {
        throw namedError(
          'States.Runtime',
          `An error occurred while executing the state '${info.name}'. The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${JSON.stringify(ts)}`,
        );
      }
      ms = Math.max(0, t - Date.now());
    }
    await sleep(ms * timeFactor, exec.abort.signal);
    return input;
  }

  /** arn:aws:states:::lambda:invoke (optimised integration). */
  private async lambdaInvokeIntegration(input: unknown): Promise<unknown> {
    const params = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    const key = typeof params.FunctionName === 'string' ? functionKeyFromRef(this.ctx, params.FunctionName) : undefined;
    if (!key)
      throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${String(params.FunctionName)}`);
    const payload = await this.invokeLambda(key, params.Payload ?? {});
    return {
      ExecutedVersion: '$LATEST',
      Payload: payload,
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: randomUUID() },
    };
  }

  /**
   * arn:aws:states:::states:startExecution(.sync|.sync:2): a nested execution in this service.
   * On failure AWS fails the task with States.TaskFailed and a Cause holding the child's DescribeExecution
   * (Error, Cause, Status, ...) as JSON; the sandbox does the same.
   */
  private async startExecutionIntegration(
    parent: Execution,
    mode: 'sync' | 'sync2' | 'async',
    input: unknown,
  ): Promise<unknown> {
    const p = (input ?? {}) as { StateMachineArn?: unknown; Input?: unknown; Name?: unknown };
    const smArn = String(p.StateMachineArn ?? '');
    const childInput = p.Input === undefined ? '{}' : typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input);
    let started: { executionArn: string; startDate: Date };
    try {
      started = this.startExecution({
        stateMachineArn: smArn,
        name: typeof p.Name === 'string' ? p.Name : undefined,
        input: childInput,
      });
    } catch (e) {
      if (e instanceof StepFunctionsError) throw namedError(`StepFunctions.${e.code}Exception`, e.message);
      throw e;
    }
    if (mode === 'async') return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    parent.children.add(started.executionArn);
    const child = await this.waitForExecution(started.executionArn);
    const base: Record<string, unknown> = {
      ExecutionArn: child.executionArn,
      StateMachineArn: child.stateMachineArn,
      Name: child.name,
      Status: child.status,
      StartDate: child.startDate.getTime(),
      StopDate: child.stopDate?.getTime(),
      Input: child.input,
      InputDetails: { Included: true },
    };
    if (child.status === 'SUCCEEDED') {
      const out = child.output ?? 'null';
      return { ...base, Output: mode === 'sync2' ? JSON.parse(out) : out, OutputDetails: { Included: true } };
    }
    const causeObj = {
      ...base,
      ...(child.error !== undefined ? { Error: child.error } : {}),
      ...(child.cause !== undefined ? { Cause: child.cause } : {}),
    };
    throw namedError('States.TaskFailed', JSON.stringify(causeObj));
  }
}

function stripData(ev: HistoryEventLike): HistoryEventLike {
  const out: HistoryEventLike = { ...ev };
  for (const [k, v] of Object.entries(out)) {
    if (k.endsWith('EventDetails') && v && typeof v === 'object') {
      const d = { ...(v as Record<string, unknown>) };
      delete d.input;
      delete d.output;
      delete d.parameters;
      out[k] = d;
    }
  }
  return out;
}
