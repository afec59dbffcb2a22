/**
 * The sandbox's EventBridge: PutEvents (AWS JSON 1.1, AWSEvents.PutEvents) on the default bus, every event
 * recorded, and the serverless.yml `eventBridge` rules of the state machines routing matching events to
 * StartExecution (asynchronously, no execution name, input transformed like the real target).
 */
import { awsJsonResponder, readAwsJsonBody } from '../awsJson.js';
import { randomUUID } from 'node:crypto';
import type { ServerlessConfig } from '../serverlessConfig.js';
import type { StepFunctionsService } from '../stepfunctions/index.js';
import { readPath } from '../jsonpath.js';
import type { SandboxRequest, SandboxResponse } from '../types.js';
import { matchesPattern } from './pattern.js';
import { applyInputTransformer, type InputTransformerSpec } from './transform.js';

export { matchesPattern } from './pattern.js';
export { applyInputTransformer } from './transform.js';

export interface PutEventsEntryLike {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  /** Date, or epoch seconds (what the wire carries). */
  Time?: Date | number | string;
  Resources?: string[];
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface EventDelivery {
  rule: string;
  stateMachineArn: string;
  /** Delivery attempt of this event (1 for the first, 2+ after redeliver). */
  delivery: number;
  at: Date;
  executionArn?: string;
  error?: string;
}

export interface RecordedEventEntry {
  EventId: string;
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: string;
  Resources?: string[];
  /** Sandbox extra: where the event went (rule -> execution, or why not). */
  Deliveries: EventDelivery[];
}

export class EventBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

interface Rule {
  name: string;
  arn: string;
  busName: string;
  pattern: Record<string, unknown>;
  machineKey: string;
  stateMachineArn: string;
  inputTransformer?: InputTransformerSpec;
  inputPath?: string;
  input?: unknown;
}

interface StoredEvent {
  entry: RecordedEventEntry;
  envelope: Record<string, unknown>;
  ingestionTime: string;
  deliveries: number;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventBridgeService {
  private events = new Map<string, StoredEvent>();
  private readonly rules: Rule[] = [];
  private readonly listeners = new Set<(entry: RecordedEventEntry) => void>();
  private pending = new Set<Promise<void>>();
  private readonly accountId: string;
  private readonly region: string;
  private readonly stepFunctions: StepFunctionsService;

  constructor(opts: {
    config: ServerlessConfig;
    stepFunctions: StepFunctionsService;
    accountId: string;
    region: string;
  }) {
    this.accountId = opts.accountId;
    this.region = opts.region;
    this.stepFunctions = opts.stepFunctions;
    for (const sm of Object.values(opts.config.stateMachines)) {
      sm.rules.forEach((r, i) => {
        if (r.enabled === false) return;
        const busName = r.eventBusName ?? 'default';
        const name = r.name ?? `${sm.name}-rule-${i + 1}`;
        this.rules.push({
          name,
          arn: `arn:aws:events:${this.region}:${this.accountId}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`,
          busName,
          pattern: r.pattern as Record<string, unknown>,
          machineKey: sm.key,
          stateMachineArn: opts.stepFunctions.stateMachineArn(sm.key),
          inputTransformer: r.inputTransformer,
          inputPath: r.inputPath,
          input: r.input,
        });
      });
    }
  }

  /** The rules read from serverless.yml (name, bus, pattern, target). */
  listRules(): { Name: string; Arn: string; EventBusName: string; EventPattern: string; Target: string }[] {
    return this.rules.map((r) => ({
      Name: r.name,
      Arn: r.arn,
      EventBusName: r.busName,
      EventPattern: JSON.stringify(r.pattern),
      Target: r.stateMachineArn,
    }));
  }

  putEvents(entries: PutEventsEntryLike[]): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
    if (!Array.isArray(entries) || entries.length < 1) {
      throw new EventBridgeError(
        'ValidationException',
        "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (entries.length > MAX_ENTRIES) {
      throw new EventBridgeError(
        'ValidationException',
        `1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    }
    const size = entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e ?? {}), 'utf8'), 0);
    if (size > MAX_REQUEST_BYTES)
      throw new EventBridgeError('ValidationException', 'Total size of the entries in the request is over the limit.');

    let failed = 0;
    const results: PutEventsResultEntry[] = entries.map((e) => {
      const r = this.accept(e ?? {});
      if ('ErrorCode' in r) failed++;
      return r;
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  snapshot(): unknown[] {
    return [...this.events.values()].map((s) => structuredClone(s.entry));
  }

  onEvent(listener: (entry: RecordedEventEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.events = new Map();
    this.pending = new Set();
  }

  /** Test hook: deliver the same event (same id) again, as EventBridge's at-least-once delivery may. */
  redeliver(eventId: string): void {
    const stored = this.events.get(eventId);
    if (!stored) throw new EventBridgeError('ResourceNotFoundException', `No recorded event with id ${eventId}`);
    this.schedule(stored);
  }

  /** Resolves when every delivery scheduled so far has been attempted. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const requestId = randomUUID();
    const respond = awsJsonResponder('1.1', requestId);
    const target = String(req.headers['x-amz-target'] ?? '');
    try {
      const body = readAwsJsonBody(req, (m) => new EventBridgeError('SerializationException', m));
      switch (target) {
        case 'AWSEvents.PutEvents': {
          if (body.Entries !== undefined && !Array.isArray(body.Entries))
            throw new EventBridgeError('SerializationException', 'Entries must be a list');
          return respond(200, this.putEvents(body.Entries ?? []));
        }
        case 'AWSEvents.ListRules':
          return respond(200, {
            Rules: this.rules
              .filter(
                (r) =>
                  (body.EventBusName ?? 'default') === r.busName &&
                  (!body.NamePrefix || r.name.startsWith(body.NamePrefix)),
              )
              .map((r) => ({
                Name: r.name,
                Arn: r.arn,
                EventPattern: JSON.stringify(r.pattern),
                State: 'ENABLED',
                EventBusName: r.busName,
              })),
          });
        default:
          throw new EventBridgeError(
            'UnknownOperationException',
            `The sandbox does not implement ${target || '(no x-amz-target)'}`,
          );
      }
    } catch (e) {
      if (e instanceof EventBridgeError) return respond(e.status, { __type: e.code, message: e.message });
      return respond(500, { __type: 'InternalException', message: (e as Error)?.message ?? String(e) });
    }
  }

  // ---------------------------------------------------------------- internals

  private busName(raw: unknown): string | undefined {
    if (raw === undefined || raw === null || raw === '') return 'default';
    const s = String(raw);
    const m = /^arn:aws:events:([^:]*):(\d*):event-bus\/(.+)$/.exec(s);
    const name = m ? m[3] : s;
    if (m && ((m[1] && m[1] !== this.region) || (m[2] && m[2] !== this.accountId))) return undefined;
    if (name === 'default' || this.rules.some((r) => r.busName === name)) return name;
    return undefined;
  }

  private accept(e: PutEventsEntryLike): PutEventsResultEntry {
    const invalid = (field: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    });
    if (typeof e.Source !== 'string' || !e.Source) return invalid('Source');
    if (typeof e.DetailType !== 'string' || !e.DetailType) return invalid('DetailType');
    if (typeof e.Detail !== 'string' || !e.Detail) return invalid('Detail');
    if (e.Source.startsWith('aws.'))
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const bus = this.busName(e.EventBusName);
    if (!bus)
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(e.EventBusName)} does not exist.`,
      };

    const now = new Date();
    let time = now;
    if (e.Time !== undefined && e.Time !== null) {
      const t =
        e.Time instanceof Date
          ? e.Time
          : typeof e.Time === 'number'
            ? new Date(e.Time * 1000)
            : new Date(String(e.Time));
      if (!Number.isNaN(t.getTime())) time = t;
    }
    const id = randomUUID();
    const resources = Array.isArray(e.Resources) ? e.Resources.map(String) : [];
    const envelope: Record<string, unknown> = {
      version: '0',
      id,
      'detail-type': e.DetailType,
      source: e.Source,
      account: this.accountId,
      time: isoSeconds(time),
      region: this.region,
      resources,
      detail,
    };
    const entry: RecordedEventEntry = {
      EventId: id,
      Source: e.Source,
      DetailType: e.DetailType,
      Detail: e.Detail,
      EventBusName: bus,
      Time: isoSeconds(time),
      ...(e.Resources ? { Resources: resources } : {}),
      Deliveries: [],
    };
    const stored: StoredEvent = { entry, envelope, ingestionTime: now.toISOString(), deliveries: 0 };
    this.events.set(id, stored);
    for (const l of this.listeners) {
      try {
        l(structuredClone(entry));
      } catch {
        /* ignore */
      }
    }
    this.schedule(stored);
    return { EventId: id };
  }

  private schedule(stored: StoredEvent): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliver(stored));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private deliver(stored: StoredEvent): void {
    stored.deliveries += 1;
    const n = stored.deliveries;
    for (const rule of this.rules) {
      if (rule.busName !== stored.entry.EventBusName) continue;
      if (!matchesPattern(rule.pattern, stored.envelope)) continue;
      const d: EventDelivery = { rule: rule.name, stateMachineArn: rule.stateMachineArn, delivery: n, at: new Date() };
      try {
        const input = this.targetInput(rule, stored);
        d.executionArn = this.stepFunctions.startExecution({
          stateMachineArn: rule.stateMachineArn,
          input,
        }).executionArn;
      } catch (e) {
        d.error = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
      }
      stored.entry.Deliveries.push(d);
    }
  }

  private targetInput(rule: Rule, stored: StoredEvent): string {
    if (rule.inputTransformer) {
      return applyInputTransformer(rule.inputTransformer, stored.envelope, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime: stored.ingestionTime,
      });
    }
    if (rule.inputPath) {
      const r = readPath(stored.envelope, rule.inputPath);
      return JSON.stringify(r.found ? r.value : null);
    }
    if (rule.input !== undefined) return typeof rule.input === 'string' ? rule.input : JSON.stringify(rule.input);
    return JSON.stringify(stored.envelope);
  }
}
