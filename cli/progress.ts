/**
 * Live progress of a provisioning execution from the local Step Functions event stream: the current phase,
 * ENIs n/N and the elapsed time. On a TTY one line is redrawn; otherwise each phase change prints a line.
 */
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

export class ProgressDisplay {
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
