/**
 * Preparing a serverless-step-functions ASL definition for aws-local-stepfunctions:
 * - CloudFormation objects (Fn::GetAtt / Ref) become the plain ARNs CloudFormation would substitute;
 * - every state is indexed by name (Parallel branches and Map processors included) with the kind of Task;
 * - a per-time-factor "run definition" scales Retry intervals, rewrites path/timestamp Waits into a local
 *   scaled wait, gives Tasks without TimeoutSeconds AWS's (practically unbounded) default and drops the
 *   top-level TimeoutSeconds (the service enforces it itself).
 */
import type { LooseJson, ServerlessConfig } from '../serverlessConfig.js';

export type TaskKind =
  | { kind: 'lambda'; functionKey: string; resource: string }
  | { kind: 'lambdaInvoke'; resource: string }
  | { kind: 'startExecution'; mode: 'sync' | 'sync2' | 'async'; resource: string }
  | { kind: 'scaledWait'; resource: string }
  | { kind: 'unsupported'; resource: string };

/** A node of an ASL definition (see LooseJson): States, Branches, Retry, Seconds... are read and rewritten field by field. */
export type AslNode = LooseJson;

export interface StateInfo {
  name: string;
  /** The state's type in the ORIGINAL definition (a rewritten Wait stays "Wait"). */
  type: string;
  def: AslNode;
  task?: TaskKind;
  /** Inside a Map processor (several instances may run at once). */
  inMap: boolean;
}

/** aws-local-stepfunctions uses setTimeout, which overflows past 2^31-1 ms (~24.8 days). */
export const MAX_TIMER_SECONDS = 2_147_483;
export const SCALED_WAIT_RESOURCE = 'arn:aws:states:::sandbox:scaledWait';

export interface ArnContext {
  config: ServerlessConfig;
  accountId: string;
  region: string;
}

export function lambdaArn(ctx: ArnContext, functionKey: string): string {
  const fn = ctx.config.functions[functionKey];
  const name = fn?.name ?? `${ctx.config.service}-${ctx.config.stage}-${functionKey}`;
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
}

export function stateMachineArnOf(ctx: ArnContext, key: string): string {
  return `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${ctx.config.stateMachines[key].name}`;
}

/** serverless' logical id of a function: CreateGatewayLambdaFunction. */
function functionLogicalId(key: string): string {
  const normalized = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

function findFunctionKey(ctx: ArnContext, ref: string): string | undefined {
  if (ctx.config.functions[ref]) return ref;
  return Object.keys(ctx.config.functions).find((k) => functionLogicalId(k) === ref);
}

function findMachineKey(ctx: ArnContext, ref: string): string | undefined {
  return Object.values(ctx.config.stateMachines).find((m) => m.logicalId === ref || m.key === ref)?.key;
}

/** What CloudFormation would put in place of { Ref: X } / { Fn::GetAtt: [X, Attr] }. */
function resolveCfnObject(ctx: ArnContext, node: Record<string, unknown>): unknown {
  if ('Ref' in node) {
    const ref = String(node.Ref);
    if (ref === 'AWS::Region') return ctx.region;
    if (ref === 'AWS::AccountId') return ctx.accountId;
    if (ref === 'AWS::Partition') return 'aws';
    const m = findMachineKey(ctx, ref);
    if (m) return stateMachineArnOf(ctx, m); // Ref of a state machine is its ARN
    const f = findFunctionKey(ctx, ref);
    if (f) return ctx.config.functions[f].name; // Ref of a function is its name
    return ref; // other resources: Ref is usually the physical name; the logical id stands in for it
  }
  const ga = node['Fn::GetAtt'];
  const [res, attr] = Array.isArray(ga) ? [String(ga[0]), String(ga[1] ?? 'Arn')] : String(ga).split('.', 2);
  const f = findFunctionKey(ctx, res);
  if (f) return attr === 'Arn' ? lambdaArn(ctx, f) : ctx.config.functions[f].name;
  const m = findMachineKey(ctx, res);
  if (m) return attr === 'Name' ? ctx.config.stateMachines[m].name : stateMachineArnOf(ctx, m);
  return `arn:aws:sandbox:${ctx.region}:${ctx.accountId}:${res}/${attr}`;
}

function isCfnObject(node: unknown): node is Record<string, unknown> {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Fn::GetAtt');
}

/** A deep copy of `def` with every Ref / Fn::GetAtt replaced by a plain string. */
export function resolveCloudFormation(ctx: ArnContext, def: unknown): AslNode {
  if (Array.isArray(def)) return def.map((d) => resolveCloudFormation(ctx, d));
  if (isCfnObject(def)) return resolveCfnObject(ctx, def);
  if (def && typeof def === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(def)) out[k] = resolveCloudFormation(ctx, v);
    return out;
  }
  return def;
}

/**
 * Deep copy with plain object literals. Not structuredClone: aws-local-stepfunctions only evaluates nested
 * Parameters whose prototype is ITS realm's Object.prototype, and structuredClone returns objects of the
 * main realm (which differs under jest's vm contexts).
 */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneJson(x)) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneJson(x);
    return out as T;
  }
  return v;
}

/** Visits every state of a definition, nested ones included. */
export function forEachState(
  def: AslNode,
  fn: (name: string, state: AslNode, inMap: boolean) => void,
  inMap = false,
): void {
  const states = def?.States ?? {};
  for (const [name, state] of Object.entries<AslNode>(states)) {
    fn(name, state, inMap);
    if (state?.Type === 'Parallel' && Array.isArray(state.Branches))
      for (const b of state.Branches) forEachState(b, fn, inMap);
    if (state?.Type === 'Map') {
      const proc = state.ItemProcessor ?? state.Iterator;
      if (proc) forEachState(proc, fn, true);
    }
  }
}

export function classifyTask(ctx: ArnContext, resource: unknown): TaskKind {
  const r = String(resource);
  if (r === SCALED_WAIT_RESOURCE) return { kind: 'scaledWait', resource: r };
  const sfn = /^arn:aws:states:::states:startExecution(\.sync(:2)?)?$/.exec(r);
  if (sfn) return { kind: 'startExecution', mode: sfn[2] ? 'sync2' : sfn[1] ? 'sync' : 'async', resource: r };
  if (/^arn:aws:states:::lambda:invoke$/.test(r)) return { kind: 'lambdaInvoke', resource: r };
  const key = functionKeyFromRef(ctx, r);
  if (key) return { kind: 'lambda', functionKey: key, resource: r };
  return { kind: 'unsupported', resource: r };
}

/** A function key from an ARN (with or without qualifier), a function name or a key. */
export function functionKeyFromRef(ctx: ArnContext, ref: string): string | undefined {
  const m = /^arn:aws:lambda:([^:]*):(\d*):function:([^:]+)(?::[^:]+)?$/.exec(ref);
  let name = ref;
  if (m) {
    if ((m[1] && m[1] !== ctx.region) || (m[2] && m[2] !== ctx.accountId)) return undefined;
    name = m[3];
  } else if (ref.includes(':')) {
    name = ref.split(':')[0]; // name:qualifier
  }
  const byName = Object.entries(ctx.config.functions).find(([, f]) => f.name === name);
  if (byName) return byName[0];
  return ctx.config.functions[name] ? name : undefined;
}

/** Index of every state by name; throws on a duplicate name (ASL requires unique names). */
export function indexStates(ctx: ArnContext, machineKey: string, def: AslNode): Map<string, StateInfo> {
  const index = new Map<string, StateInfo>();
  forEachState(def, (name, state, inMap) => {
    if (index.has(name)) {
      throw new Error(
        `state machine "${machineKey}": state name "${name}" is used twice (names must be unique across branches and Map processors)`,
      );
    }
    const info: StateInfo = { name, type: String(state?.Type), def: state, inMap };
    if (state?.Type === 'Task') info.task = classifyTask(ctx, state.Resource);
    index.set(name, info);
  });
  return index;
}

/**
 * The definition actually handed to aws-local-stepfunctions for a given time factor.
 * Wait states with `Seconds` are scaled through `waitTimeOverrides` (see waitOverrides below).
 */
export function buildRunDefinition(resolved: AslNode, timeFactor: number): AslNode {
  const def = cloneJson(resolved);
  delete def.TimeoutSeconds;
  const scale = timeFactor !== 1;
  forEachState(def, (_name, state) => {
    if (!state || typeof state !== 'object') return;
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
    if (state.Type === 'Task' && typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMER_SECONDS) {
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
    if (scale && Array.isArray(state.Retry)) {
      state.Retry = state.Retry.map((r: AslNode) => ({
        ...r,
        IntervalSeconds: (r.IntervalSeconds ?? 1) * timeFactor,
        ...(r.MaxDelaySeconds !== undefined ? { MaxDelaySeconds: r.MaxDelaySeconds * timeFactor } : {}),
      }));
    }
    if (
      scale &&
      state.Type === 'Wait' &&
      state.Seconds === undefined &&
      (state.SecondsPath !== undefined || state.Timestamp !== undefined || state.TimestampPath !== undefined)
    ) {
      // The local handler reads SecondsPath / Timestamp / TimestampPath from the original definition.
      for (const k of ['Type', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[k];
      state.Type = 'Task';
      state.Resource = SCALED_WAIT_RESOURCE;
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
  });
  return def;
}

/** waitTimeOverrides for Wait states with a fixed `Seconds` (ms, scaled). */
export function waitOverrides(index: Map<string, StateInfo>, timeFactor: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (timeFactor === 1) return out;
  for (const s of index.values()) {
    if (s.type === 'Wait' && typeof s.def.Seconds === 'number')
      out[s.name] = Math.max(0, Math.round(s.def.Seconds * 1000 * timeFactor));
  }
  return out;
}
