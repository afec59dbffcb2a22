/**
 * Live progress of an execution, fed from the local Step Functions event stream (`pni start`) or the execution
 * history (`pni provision | teardown`). Provisioning: the current phase, ENIs n/N, the gateway and the elapsed time.
 * Teardown: the current step and what has been removed so far. On a TTY one line is redrawn; otherwise each phase
 * change prints a line.
 */

/** What `follow` feeds: one event at a time, then `stop` once the execution ended. */
export interface Progress {
  onEvent(event: { type?: string; state?: { name?: string } }): void;
  stop(): void;
}
const PHASE_OF_STATE: Record<string, string> = {
  ValidateRequest: 'validating request',
  CreateGateway: 'creating gateway + security group + ENIs',
  CreateSecurityGroup: 'creating gateway + security group + ENIs',
  GrantPermissions: 'granting INSTANCE-ATTACH permissions',
  CreateAccessPoint: 'creating access point',
  WaitForAccessPoint: 'waiting for access point READY',
  RecordSucceeded: 'recording result',
  Rollback: 'rolling back',
  RecordFailed: 'recording failure',
  BeginTeardown: 'tearing down',
  DeleteAccessPoint: 'deleting access point',
  RevokePermissions: 'revoking permissions',
  DeleteEnis: 'deleting ENIs',
  DeleteSecurityGroup: 'deleting security group',
  DeleteGateway: 'deleting gateway',
};

export interface ProgressState {
  phase: string;
  enisCreated: number;
  enisPlanned: number;
  gatewayReady: boolean;
  startedAt: number;
}

export class ProgressDisplay implements Progress {
  readonly state: ProgressState;
  private lastLine = '';
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly out: NodeJS.WriteStream,
    enisPlanned: number,
    private readonly enabled = true,
  ) {
    this.state = { phase: 'starting', enisCreated: 0, enisPlanned, gatewayReady: false, startedAt: Date.now() };
    if (enabled && out.isTTY) this.timer = setInterval(() => this.render(), 200);
  }

  /** Feed one aws-local-stepfunctions event (`{type, state: {name}}`). */
  onEvent(event: { type?: string; state?: { name?: string; output?: unknown } }): void {
    const name = event.state?.name ?? '';
    if (event.type === 'StateEntered' && PHASE_OF_STATE[name] && PHASE_OF_STATE[name] !== this.state.phase) {
      this.state.phase = PHASE_OF_STATE[name];
      this.render(true);
    }
    if (event.type === 'StateExited' && name === 'CreateEni') {
      this.state.enisCreated += 1;
      this.render();
    }
    if (event.type === 'StateEntered' && name === 'RecordGatewayReady') {
      this.state.gatewayReady = true;
      this.render();
    }
  }

  line(): string {
    const s = this.state;
    const secs = ((Date.now() - s.startedAt) / 1000).toFixed(1);
    return `${s.phase.padEnd(42)} ENIs ${String(s.enisCreated).padStart(2)}/${s.enisPlanned}  gateway ${s.gatewayReady ? 'ready' : 'pending'}  ${secs}s`;
  }

  private render(phaseChanged = false): void {
    if (!this.enabled) return;
    const line = this.line();
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K  ${line}`);
    } else if (phaseChanged && line !== this.lastLine) {
      this.out.write(`  ${line}\n`);
    }
    this.lastLine = line;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.out.isTTY) this.out.write(`\r\x1b[2K  ${this.line()}\n`);
  }
}

/** Teardown steps, in order: the state that does the work and what is gone once it has run. */
const TEARDOWN_STEPS: ReadonlyArray<{ state: string; phase: string; removed: string }> = [
  { state: 'DeleteAccessPoint', phase: 'deleting access point (waits until gone)', removed: 'access point' },
  { state: 'RevokePermissions', phase: 'revoking ENI permissions', removed: 'permissions' },
  { state: 'DeleteEnis', phase: 'deleting ENIs', removed: 'ENIs' },
  { state: 'DeleteSecurityGroup', phase: 'deleting security group', removed: 'security group' },
  { state: 'DeleteGateway', phase: 'deleting gateway', removed: 'gateway' },
];
const TEARDOWN_PHASES: Record<string, string> = {
  BeginTeardown: 'reading the record',
  ...Object.fromEntries(TEARDOWN_STEPS.map((s) => [s.state, s.phase])),
  FinishTeardown: 'checking what is left',
};

/** Teardown progress: `deleting ENIs   done 2/5: access point, permissions (51 ENIs to remove)  3.1s`. */
export class TeardownProgress implements Progress {
  private phase = 'starting';
  private readonly done: string[] = [];
  private readonly startedAt = Date.now();
  private lastLine = '';
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly out: NodeJS.WriteStream,
    /** ENIs the record lists for the request, when known. */
    private readonly enis: number | undefined,
    private readonly enabled = true,
  ) {
    if (enabled && out.isTTY) this.timer = setInterval(() => this.render(), 200);
  }

  onEvent(event: { type?: string; state?: { name?: string } }): void {
    const name = event.state?.name ?? '';
    if (event.type === 'StateEntered' && TEARDOWN_PHASES[name] && TEARDOWN_PHASES[name] !== this.phase) {
      this.phase = TEARDOWN_PHASES[name];
      this.render(true);
    }
    const step = TEARDOWN_STEPS.find((s) => s.state === name);
    if (event.type === 'StateExited' && step && !this.done.includes(step.removed)) {
      this.done.push(step.removed === 'ENIs' && this.enis !== undefined ? `${this.enis} ENIs` : step.removed);
    }
  }

  line(): string {
    const secs = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const enisDone = this.done.some((d) => d.endsWith('ENIs'));
    const todo = this.enis === undefined || enisDone ? '' : ` (${this.enis} ENIs to remove)`;
    return `${this.phase.padEnd(42)} done ${this.done.length}/${TEARDOWN_STEPS.length}${this.done.length ? `: ${this.done.join(', ')}` : ''}${todo}  ${secs}s`;
  }

  private render(phaseChanged = false): void {
    if (!this.enabled) return;
    const line = this.line();
    if (this.out.isTTY) this.out.write(`\r\x1b[2K  ${line}`);
    else if (phaseChanged && line !== this.lastLine) this.out.write(`  ${line}\n`);
    this.lastLine = line;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.out.isTTY) this.out.write(`\r\x1b[2K  ${this.line()}\n`);
  }
}
