/**
 * `pni catalog launch FILE.json [--name NAME] | update NAME FILE.json | terminate NAME` — a rehearsal of the
 * Service Catalog product against a running sandbox (`pni sandbox`, AWS_ENDPOINT_URL exported): this command plays
 * CloudFormation's part. It builds the custom-resource request from the product template's parameters
 * (servicecatalog/pni-connection.yaml: FILE.json holds parameter names; defaults and constraints come from the
 * template), invokes the custom-resource function through Lambda's Invoke API, waits for the answer at the
 * sandbox's ResponseURL receiver, and prints the stack's outputs as CloudFormation shows them. Like CloudFormation,
 * a failed launch is rolled back (Delete) and a failed update is followed by the rollback Update with the old
 * parameters.
 *
 * The stack id is derived from NAME (so update and terminate find the same connection); the last parameters of
 * each rehearsal stack are kept in $TMPDIR/pni-catalog/ (CloudFormation's OldResourceProperties).
 * Imports nothing from functions/ (cli/ uses only #lib/public.js, which does not exist yet; nothing is needed).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export class CatalogUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogUsageError';
  }
}

const ACCOUNT = '111122223333';
const DEFAULT_FUNCTION = 'pni-provisioner-dev-serviceCatalogResource';
const TEMPLATE = 'servicecatalog/pni-connection.yaml';
const LOGICAL_ID = 'PniConnection';

interface TemplateParameter {
  Type: string;
  Default?: string | number;
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
  MaxLength?: number;
  Description?: string;
}
interface ProductTemplate {
  Parameters: Record<string, TemplateParameter>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Description?: string }>;
}

type Io = { out: NodeJS.WritableStream; err: NodeJS.WritableStream };
type Flags = Record<string, string | boolean | undefined>;

function loadTemplate(root: string): ProductTemplate {
  // CloudFormation's short-form tags (!Ref, !GetAtt, ...) only matter to CloudFormation: read them as plain values.
  const tags = ['Ref', 'GetAtt', 'ImportValue', 'Sub'].map((t) => ({
    tag: `!${t}`,
    resolve: (v: unknown) => ({ [t]: v }),
  }));
  const collectionTags = tags.map((t) => ({ ...t, collection: 'map' as const }));
  return parseYaml(fs.readFileSync(path.join(root, TEMPLATE), 'utf8'), {
    customTags: [...tags, ...collectionTags],
  }) as ProductTemplate;
}

/** FILE.json (parameter names) -> the custom resource's properties, as CloudFormation sends them (strings). */
export function propertiesFromParameters(
  template: ProductTemplate,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const params = template.Parameters;
  for (const k of Object.keys(given))
    if (!params[k])
      throw new CatalogUsageError(`${k}: not a parameter of the product (${Object.keys(params).join(', ')})`);
  const props: Record<string, unknown> = {};
  const resource = template.Resources[LOGICAL_ID];
  for (const [name, p] of Object.entries(params)) {
    if (name === 'ProvisionerExportName') continue;
    const raw = given[name] ?? p.Default;
    if (raw === undefined) throw new CatalogUsageError(`Parameters: [${name}] must have values`);
    if (p.Type.startsWith('List<') || p.Type === 'CommaDelimitedList') {
      const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      props[name] = list.map((s) => s.trim());
      continue;
    }
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (p.Type === 'Number') {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new CatalogUsageError(`Parameter '${name}' must be a number`);
      if ((p.MinValue !== undefined && n < p.MinValue) || (p.MaxValue !== undefined && n > p.MaxValue))
        throw new CatalogUsageError(`Parameter '${name}' must be from ${p.MinValue} to ${p.MaxValue}`);
    }
    if (p.AllowedPattern && !new RegExp(p.AllowedPattern).test(text))
      throw new CatalogUsageError(`Parameter '${name}' must match pattern ${p.AllowedPattern}`);
    if (p.MaxLength !== undefined && text.length > p.MaxLength)
      throw new CatalogUsageError(`Parameter '${name}' must be at most ${p.MaxLength} characters`);
    props[name] = text;
  }
  // Only what the resource passes on (the template's Properties), in its order.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(resource.Properties)) if (key in props) out[key] = props[key];
  return out;
}

/** A stable stack id for a rehearsal stack name. */
export function stackIdOf(name: string, region: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  const guid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${name}/${guid}`;
}

const stateFile = (name: string) => path.join(os.tmpdir(), 'pni-catalog', `${name}.json`);
function readLast(name: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(name), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
function writeLast(name: string, props: Record<string, unknown> | undefined): void {
  if (!props) {
    fs.rmSync(stateFile(name), { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(stateFile(name)), { recursive: true });
  fs.writeFileSync(stateFile(name), JSON.stringify(props, null, 2));
}

interface CfnAnswer {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId?: string;
  RequestId: string;
  Data?: Record<string, string>;
}

class Rehearsal {
  constructor(
    private readonly endpoint: string,
    private readonly functionName: string,
    private readonly stackName: string,
    private readonly region: string,
    private readonly timeoutMs: number,
  ) {}

  get stackId(): string {
    return stackIdOf(this.stackName, this.region);
  }

  async play(
    type: 'Create' | 'Update' | 'Delete',
    properties: Record<string, unknown>,
    extra: { old?: Record<string, unknown>; physicalResourceId?: string } = {},
  ): Promise<CfnAnswer> {
    const requestId = randomUUID();
    const event = {
      RequestType: type,
      ServiceToken: `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${this.functionName}`,
      ResponseURL: `${this.endpoint}/_sandbox/cfn-responses/${this.stackName}/${requestId}`,
      StackId: this.stackId,
      RequestId: requestId,
      LogicalResourceId: LOGICAL_ID,
      ResourceType: 'Custom::PniConnection',
      ResourceProperties: {
        ServiceToken: `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${this.functionName}`,
        ...properties,
      },
      ...(extra.old ? { OldResourceProperties: extra.old } : {}),
      ...(extra.physicalResourceId ? { PhysicalResourceId: extra.physicalResourceId } : {}),
    };
    const r = await fetch(
      `${this.endpoint}/2015-03-31/functions/${encodeURIComponent(this.functionName)}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
        body: JSON.stringify(event),
      },
    );
    if (r.status !== 202) throw new Error(`invoking ${this.functionName} answered HTTP ${r.status}: ${await r.text()}`);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const list = (await (await fetch(`${this.endpoint}/_sandbox/cfn-responses`)).json()) as {
        path: string;
        body: CfnAnswer;
      }[];
      const found = list.find((e) => e.body?.RequestId === requestId);
      if (found) return found.body;
      if (Date.now() > deadline) throw new Error(`no answer to the ${type} request within ${this.timeoutMs / 1000} s`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }
}

function printStack(
  io: Io,
  json: boolean,
  stackName: string,
  stackId: string,
  status: string,
  template: ProductTemplate,
  answer?: CfnAnswer,
  reason?: string,
): void {
  const outputs = Object.entries(template.Outputs)
    .filter(([k]) => answer?.Data && k in answer.Data)
    .map(([k, o]) => ({ OutputKey: k, OutputValue: answer?.Data?.[k] ?? '', Description: o.Description?.trim() }));
  if (json) {
    io.out.write(
      `${JSON.stringify({ StackName: stackName, StackId: stackId, StackStatus: status, ...(reason ? { StackStatusReason: reason } : {}), Outputs: outputs }, null, 2)}\n`,
    );
    return;
  }
  io.out.write(`${stackName}  ${status}\n  ${stackId}\n`);
  if (reason) io.out.write(`  reason: ${reason}\n`);
  if (outputs.length) {
    const w = Math.max(...outputs.map((o) => o.OutputKey.length));
    io.out.write('  Outputs\n');
    for (const o of outputs) io.out.write(`    ${o.OutputKey.padEnd(w)}  ${o.OutputValue}\n`);
  }
}

function readParameters(file: string): Record<string, unknown> {
  let given: unknown;
  try {
    given = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogUsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new CatalogUsageError(`${file} must hold a JSON object of product parameters`);
  return given as Record<string, unknown>;
}

export async function catalogCommand(
  args: string[],
  flags: Flags,
  io: Io,
  opts: { root: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const env = opts.env ?? process.env;
  const [sub, ...positionals] = args;
  const endpoint = String(flags.endpoint ?? env.AWS_ENDPOINT_URL ?? '').replace(/\/+$/, '');
  if (!endpoint)
    throw new CatalogUsageError(
      'the rehearsal plays CloudFormation against a running sandbox: run `pni sandbox` and export AWS_ENDPOINT_URL (or pass --endpoint URL)',
    );
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-west-2';
  const template = loadTemplate(opts.root);
  const json = flags.json === true;
  const timeoutMs = Number(flags.timeout ?? 3600) * 1000;
  const fn = String(flags.function ?? DEFAULT_FUNCTION);
  const rehearsal = (name: string) => new Rehearsal(endpoint, fn, name, region, timeoutMs);

  switch (sub) {
    case 'launch': {
      if (positionals.length !== 1) throw new CatalogUsageError('catalog launch needs FILE.json');
      const file = positionals[0];
      const name = String(
        flags.name ??
          `pni-${path
            .basename(file)
            .replace(/\.json$/i, '')
            .replace(/[^A-Za-z0-9-]/g, '-')}`,
      );
      const props = propertiesFromParameters(template, readParameters(file));
      const r = rehearsal(name);
      const answer = await r.play('Create', props);
      if (answer.Status === 'SUCCESS') {
        writeLast(name, props);
        printStack(io, json, name, r.stackId, 'CREATE_COMPLETE', template, answer);
        return 0;
      }
      // CloudFormation rolls the stack back: a Delete of the failed resource.
      const del = await r.play('Delete', props, { physicalResourceId: answer.PhysicalResourceId });
      writeLast(name, undefined);
      printStack(
        io,
        json,
        name,
        r.stackId,
        del.Status === 'SUCCESS' ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED',
        template,
        undefined,
        answer.Reason,
      );
      return 1;
    }
    case 'update': {
      if (positionals.length !== 2) throw new CatalogUsageError('catalog update needs NAME FILE.json');
      const [name, file] = positionals;
      const old = readLast(name);
      const props = propertiesFromParameters(template, readParameters(file));
      const r = rehearsal(name);
      const answer = await r.play('Update', props, { old });
      if (answer.Status === 'SUCCESS') {
        writeLast(name, props);
        printStack(io, json, name, r.stackId, 'UPDATE_COMPLETE', template, answer);
        return 0;
      }
      if (!old) {
        printStack(
          io,
          json,
          name,
          r.stackId,
          'UPDATE_ROLLBACK_FAILED',
          template,
          undefined,
          `${answer.Reason} (no previous parameters known to roll back to)`,
        );
        return 1;
      }
      // CloudFormation's rollback: the Update back to the previous parameters.
      const back = await r.play('Update', old, { old: props, physicalResourceId: answer.PhysicalResourceId });
      printStack(
        io,
        json,
        name,
        r.stackId,
        back.Status === 'SUCCESS' ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED',
        template,
        back.Status === 'SUCCESS' ? back : undefined,
        answer.Reason,
      );
      return 1;
    }
    case 'terminate': {
      if (positionals.length !== 1) throw new CatalogUsageError('catalog terminate needs NAME');
      const [name] = positionals;
      const r = rehearsal(name);
      const answer = await r.play('Delete', readLast(name) ?? {});
      if (answer.Status === 'SUCCESS') {
        writeLast(name, undefined);
        printStack(io, json, name, r.stackId, 'DELETE_COMPLETE', template);
        return 0;
      }
      printStack(io, json, name, r.stackId, 'DELETE_FAILED', template, undefined, answer.Reason);
      return 1;
    }
    default:
      throw new CatalogUsageError('catalog needs launch FILE.json | update NAME FILE.json | terminate NAME');
  }
}
