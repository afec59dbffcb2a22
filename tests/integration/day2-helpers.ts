/** (day 2) Running the plan, drift and repair machines on the sandbox, and breaking a connection by hand. */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { credentials, type Harness } from './harness.js';

export type Day2Machine = 'plan' | 'drift' | 'repair';

export async function runDay2(h: Harness, machine: Day2Machine, input: unknown) {
  const out = await h.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sb.stepFunctions.stateMachineArn(machine),
      input: JSON.stringify(input),
    }),
  );
  const done = await h.wait(out.executionArn!);
  return { ...done, result: done.output ? JSON.parse(done.output) : undefined };
}

/** "The user" with the AWS SDK against the sandbox's EC2 (what someone does by hand in the console). */
export function userEc2(h: Harness): EC2Client {
  return new EC2Client({ endpoint: h.sb.url, region: SEED.region, credentials, maxAttempts: 1 });
}

export async function provisioned(h: Harness, request: Record<string, unknown>) {
  const done = await h.run('provision', request);
  if (done.status !== 'SUCCEEDED') throw new Error(`provisioning failed: ${done.error} ${done.cause}`);
  return JSON.parse(done.output!) as {
    requestId: string;
    gatewayId: string;
    securityGroupId: string;
    accessPointId: string;
    eniIds: string[];
  };
}
