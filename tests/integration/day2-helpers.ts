/** (day 2) Running the plan, drift and repair machines on the sandbox, and breaking a connection by hand. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SEED } from '#sandbox/seed.js';
import { credentials, type Harness } from './harness.js';

type AjvClass = typeof Ajv2020Import.default;
const Ajv2020 = ((Ajv2020Import as unknown as { default?: AjvClass }).default ?? Ajv2020Import) as AjvClass;
type AddFormats = typeof addFormatsImport.default;
const addFormats = ((addFormatsImport as unknown as { default?: AddFormats }).default ??
  addFormatsImport) as AddFormats;
const ROOT = path.resolve(import.meta.dirname, '../..');

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

/** Every "pni.provisioner" event of the run, validated against its JSON Schema in events/schemas/. */
export function schemaErrors(state: { events: { Source: string; DetailType: string; Detail: string }[] }): string[] {
  const out: string[] = [];
  for (const e of state.events.filter((x) => x.Source === 'pni.provisioner')) {
    const v = validatorFor(e.DetailType);
    if (!v(JSON.parse(e.Detail))) out.push(`${e.DetailType}: ${ajv.errorsText(v.errors)} in ${e.Detail.slice(0, 200)}`);
  }
  return out;
}
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(detailType: string) {
  const name = detailType.toLowerCase().replace(/\s+/g, '-');
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'events', 'schemas', `${name}.json`), 'utf8')));
    validators.set(name, v);
  }
  return v;
}
