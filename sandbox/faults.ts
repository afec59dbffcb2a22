/**
 * The sandbox's fault registry: the contract of docs/architecture.md section 9 (`/_sandbox/faults`).
 * Emulators ask it, per call, whether to fail; it counts matching calls and firings.
 */
export type FaultService = 'ec2' | 'confluent' | 'lambda';

export interface CallFaultRule {
  service: FaultService;
  /** EC2 action name | Confluent "METHOD /path" | Lambda function name (serverless.yml key). */
  action: string;
  /** EC2 error code | Confluent HTTP status | error name (lambda). */
  error: string | number;
  message?: string;
  /** 1-based: the Nth matching call is the first to fail (default 1). */
  onCall?: number;
  /** Consecutive failing calls (default 1; -1 = every call from then on). */
  times?: number;
  /** lambda only: do the work, then fail. */
  afterSideEffect?: boolean;
}
export interface PhaseFaultRule {
  service: 'confluent';
  resource: 'gateway' | 'accessPoint';
  phase: 'FAILED' | 'EXPIRED' | 'ERROR' | 'DISCONNECTED' | 'DEGRADED';
  /** Move the next such resource there instead of the normal next phase, when it is in this phase. */
  when?: 'PROVISIONING' | 'READY';
}
export interface NotFoundFaultRule {
  service: 'ec2';
  action: string;
  notFoundForMs: number;
}
export type FaultRule = CallFaultRule | PhaseFaultRule | NotFoundFaultRule;
export type StoredRule = FaultRule & { id: string; matched: number; fired: number };

export interface CallFault {
  ruleId: string;
  error: string | number;
  message?: string;
  afterSideEffect: boolean;
}

export class FaultRuleInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultRuleInvalid';
  }
}

function isPhaseRule(r: FaultRule): r is PhaseFaultRule {
  return 'resource' in r;
}
function isNotFoundRule(r: FaultRule): r is NotFoundFaultRule {
  return 'notFoundForMs' in r;
}

const PHASES = ['FAILED', 'EXPIRED', 'ERROR', 'DISCONNECTED', 'DEGRADED'];

export function parseRule(raw: unknown): FaultRule {
  if (!raw || typeof raw !== 'object') throw new FaultRuleInvalid('a fault rule must be a JSON object');
  const r = raw as Record<string, unknown>;
  const service = r.service;
  if (service !== 'ec2' && service !== 'confluent' && service !== 'lambda') {
    throw new FaultRuleInvalid('service: must be "ec2", "confluent" or "lambda"');
  }
  if ('resource' in r) {
    if (service !== 'confluent') throw new FaultRuleInvalid('resource: only for service "confluent"');
    if (r.resource !== 'gateway' && r.resource !== 'accessPoint')
      throw new FaultRuleInvalid('resource: must be "gateway" or "accessPoint"');
    if (typeof r.phase !== 'string' || !PHASES.includes(r.phase))
      throw new FaultRuleInvalid(`phase: must be one of ${PHASES.join(', ')}`);
    if (r.when !== undefined && r.when !== 'PROVISIONING' && r.when !== 'READY')
      throw new FaultRuleInvalid('when: must be "PROVISIONING" or "READY"');
    return {
      service,
      resource: r.resource,
      phase: r.phase as PhaseFaultRule['phase'],
      when: (r.when as PhaseFaultRule['when']) ?? 'PROVISIONING',
    };
  }
  if (typeof r.action !== 'string' || !r.action)
    throw new FaultRuleInvalid('action: required (EC2 action, Confluent "METHOD /path" or Lambda function name)');
  if ('notFoundForMs' in r) {
    if (service !== 'ec2') throw new FaultRuleInvalid('notFoundForMs: only for service "ec2"');
    if (typeof r.notFoundForMs !== 'number' || r.notFoundForMs < 0)
      throw new FaultRuleInvalid('notFoundForMs: must be a number >= 0');
    return { service, action: r.action, notFoundForMs: r.notFoundForMs };
  }
  if (typeof r.error !== 'string' && typeof r.error !== 'number')
    throw new FaultRuleInvalid('error: required (EC2 code, Confluent HTTP status or Lambda error name)');
  if (service === 'confluent' && typeof r.error !== 'number')
    throw new FaultRuleInvalid('error: must be an HTTP status number for service "confluent"');
  const onCall = r.onCall ?? 1;
  const times = r.times ?? 1;
  if (typeof onCall !== 'number' || !Number.isInteger(onCall) || onCall < 1)
    throw new FaultRuleInvalid('onCall: must be an integer >= 1');
  if (typeof times !== 'number' || !Number.isInteger(times) || (times < 1 && times !== -1))
    throw new FaultRuleInvalid('times: must be an integer >= 1, or -1');
  if (r.afterSideEffect !== undefined && service !== 'lambda')
    throw new FaultRuleInvalid('afterSideEffect: only for service "lambda"');
  return {
    service,
    action: r.action,
    error: r.error,
    message: typeof r.message === 'string' ? r.message : undefined,
    onCall,
    times,
    afterSideEffect: r.afterSideEffect === true,
  };
}

export class FaultRegistry {
  private rules: StoredRule[] = [];
  private seq = 0;

  add(raw: unknown): StoredRule[] {
    const list = Array.isArray(raw) ? raw : [raw];
    const parsed = list.map(parseRule); // all-or-nothing
    const stored = parsed.map((r) => ({ ...r, id: `fault-${++this.seq}`, matched: 0, fired: 0 }));
    this.rules.push(...stored);
    return stored;
  }
  list(): StoredRule[] {
    return this.rules.map((r) => ({ ...r }));
  }
  clear(): void {
    this.rules = [];
  }

  /**
   * Called once per call of `action` on `service`. Every matching call rule counts the call; the first
   * rule whose window [onCall, onCall+times) contains the count fires.
   */
  nextCallFault(service: FaultService, action: string): CallFault | undefined {
    let hit: CallFault | undefined;
    for (const r of this.rules) {
      if (isPhaseRule(r) || isNotFoundRule(r) || r.service !== service || r.action !== action) continue;
      r.matched += 1;
      const start = r.onCall ?? 1;
      const times = r.times ?? 1;
      const inWindow = r.matched >= start && (times === -1 || r.matched < start + times);
      if (inWindow && !hit) {
        r.fired += 1;
        hit = { ruleId: r.id, error: r.error, message: r.message, afterSideEffect: r.afterSideEffect === true };
      }
    }
    return hit;
  }

  /** EC2 eventual consistency: for how long an id created by `action` stays invisible (0 = at once). */
  notFoundWindowMs(action: string): number {
    let ms = 0;
    for (const r of this.rules) {
      if (isNotFoundRule(r) && r.action === action) {
        r.matched += 1;
        r.fired += 1;
        ms = Math.max(ms, r.notFoundForMs);
      }
    }
    return ms;
  }

  /** Confluent: the phase the next `resource` leaving `when` goes to instead of its normal next phase (consumed once). */
  takePhaseOverride(
    resource: 'gateway' | 'accessPoint',
    when: 'PROVISIONING' | 'READY',
  ): PhaseFaultRule['phase'] | undefined {
    for (const r of this.rules) {
      if (isPhaseRule(r) && r.resource === resource && (r.when ?? 'PROVISIONING') === when && r.fired === 0) {
        r.matched += 1;
        r.fired += 1;
        return r.phase;
      }
    }
    return undefined;
  }
}
