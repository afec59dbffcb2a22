/**
 * `osls package` as an offline smoke test of the deployment (serverless.yml + statemachine/*.asl.json +
 * functions/**), and checks on the CloudFormation it produces: state machines wired to their own
 * Lambdas, the table, the EventBridge trigger rules (pattern, input transformer, retry, DLQ), and
 * least-privilege IAM (one role per function, no wildcard mutations, EC2 writes scoped by tag).
 *
 * Runs with no AWS credentials and no network (packaging needs neither).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { DETAIL_TYPES, MANAGED_BY_VALUE, TAG_MANAGED_BY, TAG_REQUEST_ID } from '#lib/constants.js';
import { STATE_TABLE_DEFINITION } from '#lib/state.js';
import { METRIC_NAMES } from '#lib/constants.js';
import { SEED } from '#sandbox/seed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAGE = 'ci';
const SERVICE = 'pni-provisioner';
/** A real stage's deploy parameter (any account but the sandbox's). */
const CI_SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:pni/confluent-cloud-api-key-AbCdEf';
const SANDBOX_ACCOUNT = SEED.accountId;

type Json = any;
const config: Json = parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'));
const functionKeys: string[] = Object.keys(config.functions);
const logicalFn = (key: string) => `${key[0].toUpperCase()}${key.slice(1)}LambdaFunction`;
const logicalLogGroup = (key: string) => `${key[0].toUpperCase()}${key.slice(1)}LogGroup`;

/** Function keys a definition references through {"Fn::GetAtt": [key, "Arn"]}. */
function referencedFunctions(definition: Json): string[] {
  const found = new Set<string>();
  const walk = (v: Json) => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (v && typeof v === 'object') {
      const ga = v['Fn::GetAtt'];
      if (Array.isArray(ga) && functionKeys.includes(ga[0])) found.add(ga[0]);
      Object.values(v).forEach(walk);
    }
  };
  walk(definition);
  return [...found].sort();
}
const aslFunctions = {
  ProvisionStateMachine: referencedFunctions(
    JSON.parse(readFileSync(join(root, 'statemachine/provision.asl.json'), 'utf8')),
  ),
  TeardownStateMachine: referencedFunctions(
    JSON.parse(readFileSync(join(root, 'statemachine/teardown.asl.json'), 'utf8')),
  ),
  UpdateStateMachine: referencedFunctions(JSON.parse(readFileSync(join(root, 'statemachine/update.asl.json'), 'utf8'))),
  // day 2 (issue 10)
  PlanStateMachine: referencedFunctions(JSON.parse(readFileSync(join(root, 'statemachine/plan.asl.json'), 'utf8'))),
  DriftStateMachine: referencedFunctions(JSON.parse(readFileSync(join(root, 'statemachine/drift.asl.json'), 'utf8'))),
  RepairStateMachine: referencedFunctions(JSON.parse(readFileSync(join(root, 'statemachine/repair.asl.json'), 'utf8'))),
};
const MACHINES = Object.keys(aslFunctions) as (keyof typeof aslFunctions)[];
const machineName = (id: string) => id.replace(/StateMachine$/, '').toLowerCase();

// ------------------------------------------------------------------ package once
let outDir = '';
let template: Json;
let resources: Record<string, Json>;

function runPackage(
  dir: string,
  args: string[] = ['--stage', STAGE, '--param', `confluentSecretArn=${CI_SECRET_ARN}`],
): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'NODE_OPTIONS'])
    delete env[k];
  Object.assign(env, {
    AWS_SDK_LOAD_CONFIG: '0',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  });
  const osls = join(root, 'node_modules', 'osls', 'bin', 'serverless.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [osls, 'package', ...args, '--package', dir],
      {
        cwd: root,
        env,
        timeout: 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `osls package failed (${err.code ?? err.signal ?? err.message}):\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`,
            ),
          );
        } else resolve();
      },
    );
  });
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'pni-package-'));
  await runPackage(outDir);
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ helpers
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The rules EventBridge events start machines through (the alerts to the operator and the drift schedule are not). */
const triggerRules = () =>
  ofType('AWS::Events::Rule').filter(
    ([, r]) =>
      r.Properties.EventPattern &&
      (r.Properties.Targets ?? []).some((t: Json) => /StateMachine$/.test(t.Arn?.Ref ?? '')),
  );
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const getAttTarget = (v: Json): string | undefined =>
  v && Array.isArray(v['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined;

interface Stmt {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: Json;
  NotResource?: unknown;
  Condition?: Json;
  Principal?: Json;
}
/** Every policy statement in the template, with where it came from. */
function allStatements(): Array<{ where: string; s: Stmt }> {
  const out: Array<{ where: string; s: Stmt }> = [];
  for (const [id, r] of Object.entries(resources)) {
    const docs: Json[] = [];
    if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties.Policies ?? []) docs.push(p.PolicyDocument);
    if (
      [
        'AWS::IAM::Policy',
        'AWS::IAM::ManagedPolicy',
        'AWS::SQS::QueuePolicy',
        'AWS::S3::BucketPolicy',
        'AWS::SNS::TopicPolicy',
      ].includes(r.Type)
    )
      docs.push(r.Properties.PolicyDocument);
    for (const d of docs) for (const s of asArray<Stmt>(d.Statement)) out.push({ where: id, s });
  }
  return out;
}
function roleStatements(roleId: string): Stmt[] {
  const role = resources[roleId];
  expect(role?.Type).toBe('AWS::IAM::Role');
  return (role.Properties.Policies ?? []).flatMap((p: Json) => asArray<Stmt>(p.PolicyDocument.Statement));
}
const actionsOf = (s: Stmt) => asArray(s.Action as string | string[]);
const isReadOnly = (action: string) => /^[a-z0-9-]+:(Describe|Get|List|Search)/i.test(action);
const isMutatingEc2 = (action: string) => action.toLowerCase().startsWith('ec2:') && !isReadOnly(action);
const resourceIsStar = (s: Stmt) => asArray(s.Resource).some((r) => r === '*');
const resourceText = (s: Stmt) => JSON.stringify(s.Resource);

function roleOfFunction(key: string): string {
  const fn = resources[logicalFn(key)];
  const role = getAttTarget(fn.Properties.Role);
  if (!role)
    throw new Error(`${key}: Role is not a Fn::GetAtt of a role in this stack: ${JSON.stringify(fn.Properties.Role)}`);
  return role;
}

/** Lambda logical ids a state machine role may invoke (the plugin also lists `${arn}:*` for versions). */
function invokableFunctions(roleId: string): string[] {
  const out = new Set<string>();
  for (const s of roleStatements(roleId)) {
    if (!actionsOf(s).includes('lambda:InvokeFunction')) continue;
    expect(resourceIsStar(s)).toBe(false);
    for (const r of asArray(s.Resource)) {
      const direct = getAttTarget(r);
      const viaSub = Array.isArray(r?.['Fn::Sub']) ? getAttTarget(Object.values(r['Fn::Sub'][1])[0]) : undefined;
      const id = direct ?? viaSub;
      if (!id) throw new Error(`${roleId}: cannot read lambda:InvokeFunction resource ${JSON.stringify(r)}`);
      out.add(id);
    }
  }
  return [...out].sort();
}

/** The files in a zip (central directory), with a reader for one entry. */
function readZip(path: string): { names: string[]; read(name: string): Buffer } {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${path}: not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, { method: number; size: number; local: number }>();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    entries.set(buf.toString('utf8', p + 46, p + 46 + nameLen), { method, size, local });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return {
    names: [...entries.keys()],
    read(name) {
      const e = entries.get(name);
      if (!e) throw new Error(`${path}: no ${name}`);
      const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
      const data = buf.subarray(start, start + e.size);
      return e.method === 8 ? inflateRawSync(data) : data;
    },
  };
}

// ------------------------------------------------------------------ tests
describe('osls package (offline)', () => {
  test('produces the update-stack template', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(resources).length).toBeGreaterThan(40);
  });

  test.each(MACHINES)('%s: definition references its own Lambdas', (id) => {
    const sm = resources[id];
    expect(sm?.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(sm.Properties.StateMachineType ?? 'STANDARD').toBe('STANDARD'); // CloudFormation's default
    const sub = sm.Properties.DefinitionString['Fn::Sub'];
    expect(Array.isArray(sub)).toBe(true);
    const [text, vars] = sub as [string, Record<string, Json>];
    JSON.parse(text.replace(/\$\{[^}]+\}/g, 'X')); // still JSON around the placeholders
    // every placeholder has a value: no DefinitionSubstitutions-style ${Name} left for deploy time
    const placeholders = [...new Set([...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]))].sort();
    expect(placeholders).toEqual(Object.keys(vars).sort());
    const lambdas = Object.values(vars)
      .map(getAttTarget)
      .filter((x): x is string => !!x && x.endsWith('LambdaFunction'))
      .sort();
    expect(aslFunctions[id].length).toBeGreaterThan(0);
    expect(lambdas).toEqual(aslFunctions[id].map(logicalFn).sort());
    for (const l of lambdas) expect(resources[l]?.Type).toBe('AWS::Lambda::Function');
    expect(sm.Properties.StateMachineName).toBe(`${SERVICE}-${STAGE}-${machineName(id)}`);
  });

  test('provision runs the teardown machine as its rollback (startExecution.sync:2)', () => {
    const vars = resources.ProvisionStateMachine.Properties.DefinitionString['Fn::Sub'][1];
    expect(Object.values(vars)).toContainEqual({ Ref: 'TeardownStateMachine' });
  });

  test.each(MACHINES)('%s: every transition logged (level ALL) but never execution data; X-Ray tracing on', (id) => {
    const lc = resources[id].Properties.LoggingConfiguration;
    expect(lc).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(resources[id].Properties.TracingConfiguration).toEqual({ Enabled: true });
    const lg = getAttTarget(lc.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn);
    expect(resources[lg!]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: expect.any(Number) },
    });
  });

  test('state machine roles invoke exactly their own functions', () => {
    for (const id of MACHINES) {
      const roleId = getAttTarget(resources[id].Properties.RoleArn)!;
      expect(invokableFunctions(roleId)).toEqual(aslFunctions[id].map(logicalFn).sort());
    }
  });

  test('provision role: start, watch and stop only teardown executions', () => {
    const roleId = getAttTarget(resources.ProvisionStateMachine.Properties.RoleArn)!;
    const stmts = roleStatements(roleId);
    const withAction = (a: string) => stmts.filter((s) => actionsOf(s).includes(a));
    expect(withAction('states:StartExecution').map((s) => s.Resource)).toEqual([{ Ref: 'TeardownStateMachine' }]);
    for (const a of ['states:DescribeExecution', 'states:StopExecution']) {
      const [s, ...more] = withAction(a);
      expect(more).toHaveLength(0);
      expect(resourceIsStar(s)).toBe(false);
      expect(resourceText(s)).toContain(`:execution:${SERVICE}-${STAGE}-teardown:*`);
    }
    for (const a of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) {
      const [s] = withAction(a);
      expect(resourceText(s)).toContain('rule/StepFunctionsGetEventsForStepFunctionsExecutionRule');
    }
  });

  test('the state table: pk/sk, GSI byStatus, retained, same as STATE_TABLE_DEFINITION', () => {
    const t = resources.StateTable;
    expect(t.Type).toBe('AWS::DynamoDB::Table');
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.Properties.KeySchema).toEqual(STATE_TABLE_DEFINITION.KeySchema);
    expect(t.Properties.BillingMode).toBe(STATE_TABLE_DEFINITION.BillingMode);
    const sortByName = (a: Json[]) => [...a].sort((x, y) => x.AttributeName.localeCompare(y.AttributeName));
    expect(sortByName(t.Properties.AttributeDefinitions)).toEqual(
      sortByName([...STATE_TABLE_DEFINITION.AttributeDefinitions]),
    );
    expect(t.Properties.GlobalSecondaryIndexes).toEqual(STATE_TABLE_DEFINITION.GlobalSecondaryIndexes);
    expect(t.Properties.GlobalSecondaryIndexes.map((g: Json) => g.IndexName)).toEqual(['byStatus']);
  });

  test('three EventBridge trigger rules: pattern, event-id-keeping transformer, retry policy, DLQ', () => {
    const rules = triggerRules();
    expect(rules).toHaveLength(3);
    const expected: Record<string, { detailType: string; machine: string; yamlKey: string }> = {
      [DETAIL_TYPES.provisioningRequested]: {
        detailType: DETAIL_TYPES.provisioningRequested,
        machine: 'ProvisionStateMachine',
        yamlKey: 'provision',
      },
      [DETAIL_TYPES.teardownRequested]: {
        detailType: DETAIL_TYPES.teardownRequested,
        machine: 'TeardownStateMachine',
        yamlKey: 'teardown',
      },
      [DETAIL_TYPES.repairRequested]: {
        detailType: DETAIL_TYPES.repairRequested,
        machine: 'RepairStateMachine',
        yamlKey: 'repair',
      },
    };
    const seen = new Set<string>();
    for (const [ruleId, rule] of rules) {
      const p = rule.Properties;
      expect(p.State).toBe('ENABLED');
      expect(p.EventPattern.source).toEqual([config.custom.triggerSource]);
      expect(p.EventPattern['detail-type']).toHaveLength(1);
      const e = expected[p.EventPattern['detail-type'][0]];
      expect(e).toBeDefined();
      seen.add(e.detailType);
      expect(p.Targets).toHaveLength(1);
      const [t] = p.Targets;
      expect(t.Arn).toEqual({ Ref: e.machine });
      expect(t.InputTransformer.InputPathsMap).toMatchObject({ eventId: '$.id', detail: '$.detail' });
      expect(t.InputTransformer.InputTemplate).toContain('"eventId":"<eventId>"');
      expect(t.InputTransformer.InputTemplate).toContain('"request":<detail>');
      expect(t.InputTransformer.InputTemplate).toBe(
        config.stepFunctions.stateMachines[e.yamlKey].events[0].eventBridge.inputTransformer.inputTemplate,
      );
      expect(t.RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: expect.any(Number),
        MaximumRetryAttempts: expect.any(Number),
      });
      expect(t.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(t.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': ['TriggerDeadLetterQueue', 'Arn'] } });
      // EventBridge's role may start that machine and nothing else
      const roleId = getAttTarget(t.RoleArn)!;
      const stmts = roleStatements(roleId);
      expect(stmts.flatMap(actionsOf)).toEqual(['states:StartExecution']);
      expect(stmts[0].Resource).toEqual({ Ref: e.machine });
      expect(ruleId).toMatch(/EventsRuleCloudWatchEvent\d+$/);
    }
    expect(seen.size).toBe(3);
  });

  test('(day 2) the drift schedule: every SUCCEEDED connection, rate from the driftCheckRate parameter (default 1 hour)', () => {
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression);
    expect(schedules).toHaveLength(1);
    const [, rule] = schedules[0];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(config.params.default.driftCheckRate).toBe('rate(1 hour)');
    expect(rule.Properties.State).toBe('ENABLED');
    const [t] = rule.Properties.Targets;
    expect(t.Arn).toEqual({ Ref: 'DriftStateMachine' });
    expect(JSON.parse(t.Input)).toEqual({ scheduled: true });
    const stmts = roleStatements(getAttTarget(t.RoleArn)!);
    expect(stmts.flatMap(actionsOf)).toEqual(['states:StartExecution']);
    expect(stmts[0].Resource).toEqual({ Ref: 'DriftStateMachine' });
  });

  test('the dead-letter queue accepts messages from the trigger rules only', () => {
    expect(resources.TriggerDeadLetterQueue.Type).toBe('AWS::SQS::Queue');
    const [[, policy], ...more] = ofType('AWS::SQS::QueuePolicy');
    expect(more).toHaveLength(0);
    expect(policy.Properties.Queues).toEqual([{ Ref: 'TriggerDeadLetterQueue' }]);
    const [s] = policy.Properties.PolicyDocument.Statement;
    expect(s).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    const sources = s.Condition.ArnEquals['aws:SourceArn'].map(getAttTarget).sort();
    expect(sources).toEqual(
      triggerRules()
        .map(([id]) => id)
        .sort(),
    );
  });

  test('outputs: state machine ARNs, table name, DLQ URL', () => {
    expect(template.Outputs.ProvisionStateMachineArn.Value).toEqual({ Ref: 'ProvisionStateMachine' });
    expect(template.Outputs.TeardownStateMachineArn.Value).toEqual({ Ref: 'TeardownStateMachine' });
    for (const id of ['PlanStateMachine', 'DriftStateMachine', 'RepairStateMachine'])
      expect(template.Outputs[`${id}Arn`].Value).toEqual({ Ref: id });
    expect(template.Outputs.StateTableName.Value).toEqual({ Ref: 'StateTable' });
    expect(template.Outputs.TriggerDeadLetterQueueUrl.Value).toEqual({ Ref: 'TriggerDeadLetterQueue' });
    expect(template.Outputs.UpdateStateMachineArn.Value).toEqual({ Ref: 'UpdateStateMachine' });
  });

  test('Service Catalog: the custom-resource function ARN is exported for the product template', () => {
    const out = template.Outputs.ServiceCatalogResourceArn;
    expect(out.Value).toEqual({ 'Fn::GetAtt': ['ServiceCatalogResourceLambdaFunction', 'Arn'] });
    expect(out.Export.Name).toBe(`${SERVICE}-${STAGE}-ServiceCatalogResourceArn`);
    const product = readFileSync(join(root, 'servicecatalog/pni-connection.yaml'), 'utf8');
    expect(product).toContain('-ServiceCatalogResourceArn');
    const env = resources.ServiceCatalogResourceLambdaFunction.Properties.Environment.Variables;
    expect(env).toMatchObject({
      PROVISION_STATE_MACHINE_ARN: { Ref: 'ProvisionStateMachine' },
      TEARDOWN_STATE_MACHINE_ARN: { Ref: 'TeardownStateMachine' },
      UPDATE_STATE_MACHINE_ARN: { Ref: 'UpdateStateMachine' },
    });
  });

  test('Service Catalog role: start the three machines; stop only provisioning executions', () => {
    const stmts = roleStatements(roleOfFunction('serviceCatalogResource'));
    const withAction = (a: string) => stmts.filter((s) => actionsOf(s).includes(a));
    expect(withAction('states:StartExecution').map((s) => s.Resource)).toEqual([
      [{ Ref: 'ProvisionStateMachine' }, { Ref: 'TeardownStateMachine' }, { Ref: 'UpdateStateMachine' }],
    ]);
    const [stop, ...more] = withAction('states:StopExecution');
    expect(more).toHaveLength(0);
    expect(actionsOf(stop)).toEqual(['states:StopExecution']);
    expect(resourceText(stop)).toContain(`:execution:${SERVICE}-${STAGE}-provision:*`);
    expect(resourceText(stop)).not.toContain('-teardown');
  });
});

describe('Lambda functions', () => {
  test('one per function key, nodejs22.x, handler path kept', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(functionKeys.map(logicalFn).sort());
    for (const key of functionKeys) {
      const p = resources[logicalFn(key)].Properties;
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Handler).toBe(`functions/${key}/handler.handler`);
      expect(p.Environment.Variables.STATE_TABLE).toEqual({ Ref: 'StateTable' });
    }
  });

  test('each function has its own role, assumable by Lambda only; no shared default role', () => {
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = functionKeys.map(roleOfFunction);
    expect(new Set(roles).size).toBe(functionKeys.length);
    for (const roleId of roles) {
      const trust = resources[roleId].Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
      expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('bundles are ESM (.mjs) with the createRequire banner, one zip per function', () => {
    for (const key of functionKeys) {
      const zipPath = join(outDir, `${key}.zip`);
      expect(existsSync(zipPath)).toBe(true);
      const zip = readZip(zipPath);
      const entry = `functions/${key}/handler.mjs`;
      expect(zip.names).toContain(entry);
      expect(zip.names.filter((n) => /handler\.(c?js)$/.test(n))).toEqual([]);
      if (key === functionKeys[0]) {
        const code = zip.read(entry).toString('utf8');
        expect(
          code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);"),
        ).toBe(true);
        expect(code).toMatch(/\bexport\s*\{[^}]*\bhandler\b/);
      }
    }
  });
});

describe('IAM least privilege', () => {
  test('no Allow with a full wildcard action, NotAction or NotResource', () => {
    for (const { where, s } of allStatements()) {
      if (s.Effect !== 'Allow') continue;
      expect({ where, NotAction: s.NotAction, NotResource: s.NotResource }).toEqual({
        where,
        NotAction: undefined,
        NotResource: undefined,
      });
      for (const a of actionsOf(s)) {
        expect({ where, action: a, full: a === '*' || /^[^:]+:\*$/.test(a) }).toEqual({
          where,
          action: a,
          full: false,
        });
      }
    }
  });

  test('a wildcard action only ever covers reads, never a mutating call', () => {
    for (const { where, s } of allStatements()) {
      if (s.Effect !== 'Allow') continue;
      const actions = actionsOf(s);
      if (!actions.some((a) => a.includes('*'))) continue;
      expect({ where, actions, allReadOnly: actions.every(isReadOnly) }).toEqual({ where, actions, allReadOnly: true });
    }
  });

  test('every mutating EC2 statement has a Condition or a scoped Resource', () => {
    let seen = 0;
    for (const { where, s } of allStatements()) {
      if (s.Effect !== 'Allow' || !actionsOf(s).some(isMutatingEc2)) continue;
      seen++;
      expect({ where, sid: s.Sid, scoped: !!s.Condition || !resourceIsStar(s) }).toEqual({
        where,
        sid: s.Sid,
        scoped: true,
      });
    }
    expect(seen).toBeGreaterThan(0);
  });

  // What each step calls (functions/lib/steps/*.ts), hence what its role holds: nothing more.
  // Logs on its own log group come on top. Update this table together with serverless.yml.
  const READ = ['dynamodb:GetItem', 'dynamodb:Query'];
  const UPDATE = ['dynamodb:UpdateItem'];
  const CREATE = ['dynamodb:PutItem'];
  const SECRET = ['secretsmanager:GetSecretValue'];
  const EMIT = ['events:PutEvents'];
  const DRIFT_READS = [
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeNetworkInterfacePermissions',
    'ec2:DescribeSecurityGroups',
  ];
  const NEEDS: Record<string, string[]> = {
    validateRequest: [
      ...READ,
      ...UPDATE,
      ...CREATE,
      ...SECRET,
      ...EMIT,
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
    ],
    createGateway: [...READ, ...UPDATE, ...SECRET],
    getGatewayStatus: [...READ, ...UPDATE, ...SECRET],
    createSecurityGroup: [
      ...READ,
      ...UPDATE,
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:CreateTags',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupEgress',
    ],
    createEni: [...READ, ...CREATE, 'ec2:CreateNetworkInterface', 'ec2:CreateTags'],
    recordPhase: [...READ, ...UPDATE, ...EMIT],
    grantPermissions: [
      ...READ,
      ...UPDATE,
      'ec2:DescribeNetworkInterfacePermissions',
      'ec2:CreateNetworkInterfacePermission',
    ],
    createAccessPoint: [...READ, ...UPDATE, ...SECRET],
    getAccessPointStatus: [...SECRET],
    recordOutcome: [...READ, ...UPDATE, ...EMIT],
    beginTeardown: [...READ, ...UPDATE, ...EMIT, 'states:DescribeExecution'],
    deleteAccessPoint: [...READ, ...SECRET],
    getDeletionStatus: [...SECRET],
    revokePermissions: [
      ...READ,
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeNetworkInterfacePermissions',
      'ec2:DeleteNetworkInterfacePermission',
    ],
    deleteEnis: [...READ, ...UPDATE, 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'],
    deleteSecurityGroup: [...READ, 'ec2:DescribeSecurityGroups', 'ec2:DeleteSecurityGroup'],
    deleteGateway: [...READ, ...SECRET],
    // Service Catalog + in-place update (issue 9)
    serviceCatalogResource: [
      ...READ,
      ...UPDATE,
      ...CREATE,
      'states:StartExecution',
      'states:DescribeExecution',
      'states:StopExecution',
    ],
    answerCloudFormation: [...READ, ...UPDATE],
    validateUpdate: [...READ, ...UPDATE, ...CREATE, 'ec2:DescribeVpcs', 'states:DescribeExecution'],
    updateAccessPoint: [...SECRET],
    updateSecurityGroup: [
      'ec2:DescribeSecurityGroups',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
    ],
    recordUpdate: [...READ, ...UPDATE, ...EMIT],
    finishTeardown: [
      ...READ,
      ...UPDATE,
      ...SECRET,
      ...EMIT,
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeNetworkInterfacePermissions',
      'ec2:DescribeSecurityGroups',
    ],
    // day 2 (issue 10)
    planRequest: [
      ...READ,
      ...SECRET,
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
    ],
    listConnections: [...READ],
    checkDrift: [...READ, ...UPDATE, ...SECRET, ...EMIT, ...DRIFT_READS],
    beginRepair: [...READ, ...CREATE, ...EMIT],
    repairConnection: [
      ...READ,
      ...UPDATE,
      ...CREATE,
      ...SECRET,
      ...DRIFT_READS,
      'ec2:CreateNetworkInterface',
      'ec2:CreateTags',
      'ec2:CreateNetworkInterfacePermission',
      'ec2:DeleteNetworkInterfacePermission',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
    ],
    finishRepair: [...READ, ...UPDATE, ...SECRET, ...EMIT, ...DRIFT_READS],
  };

  test('the table covers every function', () => {
    expect(Object.keys(NEEDS).sort()).toEqual([...functionKeys].sort());
  });

  test.each(Object.keys(config.functions))('%s: only what it needs', (key) => {
    const stmts = roleStatements(roleOfFunction(key)).filter((s) => s.Effect === 'Allow');
    const actions = stmts.flatMap(actionsOf);
    expect([...new Set(actions.filter((a) => !a.startsWith('logs:')))].sort()).toEqual([...(NEEDS[key] ?? [])].sort());

    // logs: its own log group only
    const logs = stmts.filter((x) => actionsOf(x).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    expect(actionsOf(logs[0]).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs[0].Resource).toEqual({ 'Fn::GetAtt': [logicalLogGroup(key), 'Arn'] });
    // DynamoDB: the state table only
    for (const s of stmts.filter((x) => actionsOf(x).some((a) => a.startsWith('dynamodb:')))) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': ['StateTable', 'Arn'] });
    }
    // the Confluent API key secret only
    for (const s of stmts.filter((x) => actionsOf(x).some((a) => a.startsWith('secretsmanager:')))) {
      expect(s.Resource).toEqual(CI_SECRET_ARN);
    }
    // PutEvents: the default bus, our source only
    for (const s of stmts.filter((x) => actionsOf(x).some((a) => a.startsWith('events:')))) {
      expect(resourceText(s)).toContain(':event-bus/default');
      expect(s.Condition).toEqual({ StringEquals: { 'events:source': config.custom.eventSource } });
    }
    // EC2 reads: Describe* on "*" (no resource-level permissions), kept apart from writes
    for (const s of stmts.filter((x) => actionsOf(x).some((a) => a.startsWith('ec2:Describe')))) {
      expect(actionsOf(s).every((a) => a.startsWith('ec2:Describe'))).toBe(true);
    }
  });

  test('EC2 creates require our tags on the new resource; CreateTags only at creation', () => {
    const requestTagged = {
      Null: { [`aws:RequestTag/${TAG_REQUEST_ID}`]: 'false' },
      StringEquals: { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY_VALUE },
    };
    const creates: Array<[string, string, string]> = [
      ['createSecurityGroup', 'ec2:CreateSecurityGroup', ':security-group/*'],
      ['createEni', 'ec2:CreateNetworkInterface', ':network-interface/*'],
      ['repairConnection', 'ec2:CreateNetworkInterface', ':network-interface/*'],
    ];
    for (const [key, action, created] of creates) {
      const stmts = roleStatements(roleOfFunction(key)).filter((s) => actionsOf(s).includes(action));
      const onNew = stmts.filter((s) => resourceText(s).includes(created));
      expect(onNew).toHaveLength(1);
      expect(onNew[0].Condition).toEqual(requestTagged);
      expect(actionsOf(onNew[0])).toEqual([action]);
      const tagging = roleStatements(roleOfFunction(key)).filter((s) => actionsOf(s).includes('ec2:CreateTags'));
      expect(tagging).toHaveLength(1);
      expect(tagging[0].Condition).toEqual({ StringEquals: { 'ec2:CreateAction': action.slice(4) } });
      expect(resourceText(tagging[0])).toContain(created);
    }
  });

  test('EC2 changes and deletes only touch resources tagged as ours', () => {
    const scoped: Array<[string, string[], string]> = [
      [
        'createSecurityGroup',
        ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress'],
        ':security-group/*',
      ],
      ['grantPermissions', ['ec2:CreateNetworkInterfacePermission'], ':network-interface/*'],
      ['deleteEnis', ['ec2:DeleteNetworkInterface'], ':network-interface/*'],
      ['deleteSecurityGroup', ['ec2:DeleteSecurityGroup'], ':security-group/*'],
      [
        'updateSecurityGroup',
        ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        ':security-group/*',
      ],
      [
        'repairConnection',
        [
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:AuthorizeSecurityGroupEgress',
          'ec2:RevokeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupEgress',
        ],
        ':security-group/*',
      ],
      ['repairConnection', ['ec2:CreateNetworkInterfacePermission'], ':network-interface/*'],
    ];
    for (const [key, actions, resource] of scoped) {
      for (const action of actions) {
        const stmts = roleStatements(roleOfFunction(key)).filter((s) => actionsOf(s).includes(action));
        expect(stmts).toHaveLength(1);
        expect(resourceText(stmts[0])).toContain(resource);
        expect(stmts[0].Condition.StringEquals[`ec2:ResourceTag/${TAG_MANAGED_BY}`]).toBe(MANAGED_BY_VALUE);
      }
    }
    const grant = roleStatements(roleOfFunction('grantPermissions')).find((s) =>
      actionsOf(s).includes('ec2:CreateNetworkInterfacePermission'),
    )!;
    expect(grant.Condition.StringEquals['ec2:Permission']).toBe('INSTANCE-ATTACH');
    // DeleteNetworkInterfacePermission names a permission id: EC2 offers no resource type or tag
    // key for it, so it is "*" limited to the stack's region, and held by revokePermissions alone.
    const revoke = roleStatements(roleOfFunction('revokePermissions')).find((s) =>
      actionsOf(s).includes('ec2:DeleteNetworkInterfacePermission'),
    )!;
    expect(actionsOf(revoke)).toEqual(['ec2:DeleteNetworkInterfacePermission']);
    expect(revoke.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
    // (day 2) ... and by repairConnection, which removes permissions granted to other accounts: same scoping.
    const holders = functionKeys.filter((key) =>
      roleStatements(roleOfFunction(key)).some((s) => actionsOf(s).includes('ec2:DeleteNetworkInterfacePermission')),
    );
    expect(holders.sort()).toEqual(['repairConnection', 'revokePermissions']);
    const repairRevoke = roleStatements(roleOfFunction('repairConnection')).find((s) =>
      actionsOf(s).includes('ec2:DeleteNetworkInterfacePermission'),
    )!;
    expect(actionsOf(repairRevoke)).toEqual(['ec2:DeleteNetworkInterfacePermission']);
    expect(repairRevoke.Condition).toEqual(revoke.Condition);
  });
});

// ------------------------------------------------------------------ issue 12: deploy safety and operations
/** `osls package` expected to fail: its combined output. */
async function packageFails(args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pni-package-refused-'));
  try {
    await runPackage(dir, args);
  } catch (err) {
    return (err as Error).message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`osls package ${args.join(' ')} succeeded; it should have refused`);
}

describe('deploy parameters: no sandbox value reaches a real stage', () => {
  test('a real stage without confluentSecretArn is refused, naming the parameter', async () => {
    const out = await packageFails(['--stage', 'prod', '--region', 'eu-central-1']);
    expect(out).toMatch(/stage "prod" needs the deploy parameter confluentSecretArn/);
    expect(out).toContain('--param confluentSecretArn=');
  }, 300_000);

  test("a real stage given the sandbox's secret is refused", async () => {
    const out = await packageFails(['--stage', 'prod', '--param', `confluentSecretArn=${SEED.confluentSecretArn}`]);
    expect(out).toMatch(/confluentSecretArn is the sandbox's secret \(account 111122223333\)/);
  }, 300_000);

  test('the plugin knows the sandbox account of sandbox/seed.ts', () => {
    expect(readFileSync(join(root, 'scripts/osls-ops-plugin.cjs'), 'utf8')).toContain(
      `const SANDBOX_ACCOUNT_ID = '${SANDBOX_ACCOUNT}';`,
    );
  });

  test("the sandbox's account id appears nowhere in a real stage's template", () => {
    expect(JSON.stringify(template)).not.toContain(SANDBOX_ACCOUNT);
    expect(resources.CreateGatewayLambdaFunction.Properties.Environment.Variables.CONFLUENT_SECRET_ARN).toBe(
      CI_SECRET_ARN,
    );
  });
});

describe('operations: alarms, alerts, metrics, tracing, dashboard', () => {
  const alarm = (id: string) => {
    expect(resources[id]?.Type).toBe('AWS::CloudWatch::Alarm');
    const p = resources[id].Properties;
    expect(p.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(p.TreatMissingData).toBe('notBreaching');
    expect(p).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    return p;
  };

  test('an SNS topic; the e-mail subscription only with the alarmEmail parameter', () => {
    expect(resources.AlarmTopic.Type).toBe('AWS::SNS::Topic');
    expect(resources.AlarmEmailSubscription).toMatchObject({
      Type: 'AWS::SNS::Subscription',
      Condition: 'HasAlarmEmail',
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: 'AlarmTopic' } },
    });
    expect(template.Parameters.AlarmEmail).toMatchObject({ Type: 'String', Default: '' });
    expect(template.Conditions.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
    expect(template.Outputs.AlarmTopicArn.Value).toEqual({ Ref: 'AlarmTopic' });
  });

  test('the topic accepts alarms of this account and the two alert rules only', () => {
    const [[, policy], ...more] = ofType('AWS::SNS::TopicPolicy');
    expect(more).toHaveLength(0);
    const [cw, ev] = policy.Properties.PolicyDocument.Statement;
    expect(cw).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' });
    expect(cw.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect(ev).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' });
    expect(ev.Condition.ArnEquals['aws:SourceArn'].map(getAttTarget).sort()).toEqual([
      'RollbackFailedAlertRule',
      'TeardownFailedAlertRule',
    ]);
  });

  test.each([
    ['ProvisionExecutionsFailedAlarm', 'ExecutionsFailed', 'ProvisionStateMachine'],
    ['ProvisionExecutionsTimedOutAlarm', 'ExecutionsTimedOut', 'ProvisionStateMachine'],
    ['TeardownExecutionsFailedAlarm', 'ExecutionsFailed', 'TeardownStateMachine'],
    ['TeardownExecutionsTimedOutAlarm', 'ExecutionsTimedOut', 'TeardownStateMachine'],
  ])('%s: AWS/States %s of %s', (id, metric, machine) => {
    const p = alarm(id);
    expect(p).toMatchObject({ Namespace: 'AWS/States', MetricName: metric, Statistic: 'Sum' });
    expect(p.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: machine } }]);
  });

  test('the trigger DLQ alarms as soon as it holds a message', () => {
    const p = alarm('TriggerDeadLetterQueueAlarm');
    expect(p).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(p.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['TriggerDeadLetterQueue', 'QueueName'] } },
    ]);
  });

  test('every function has an errors-or-throttles alarm', () => {
    for (const key of functionKeys) {
      const p = alarm(logicalFn(key).replace(/LambdaFunction$/, 'ErrorsAlarm'));
      const stats = p.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => m.MetricStat.Metric);
      expect(stats.map((m: Json) => `${m.Namespace} ${m.MetricName}`).sort()).toEqual([
        'AWS/Lambda Errors',
        'AWS/Lambda Throttles',
      ]);
      for (const m of stats) expect(m.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: logicalFn(key) } }]);
      expect(p.Metrics.filter((m: Json) => m.ReturnData)).toHaveLength(1);
    }
  });

  test.each([
    [
      'RollbackFailedAlertRule',
      DETAIL_TYPES.failed,
      { rollback: { outcome: ['ROLLBACK_FAILED'] } },
      '$.detail.rollback.leftovers',
    ],
    ['TeardownFailedAlertRule', DETAIL_TYPES.teardownFailed, undefined, '$.detail.leftovers'],
  ])(
    '%s: %s -> the topic, a readable message with the request and the leftovers',
    (id, detailType, detail, leftovers) => {
      const p = resources[id].Properties;
      expect(p.EventPattern).toEqual({
        source: [config.custom.eventSource],
        'detail-type': [detailType],
        ...(detail ? { detail } : {}),
      });
      expect(p.EventBusName).toBe(config.provider.environment.EVENT_BUS_NAME);
      const [t] = p.Targets;
      expect(t.Arn).toEqual({ Ref: 'AlarmTopic' });
      expect(t.InputTransformer.InputPathsMap).toMatchObject({ requestId: '$.detail.requestId', leftovers });
      // the template is JSON once the placeholders are filled (strings quoted, the leftovers array not)
      const filled = t.InputTransformer.InputTemplate.replace(
        '<leftovers>',
        '[{"type":"networkInterface","id":"eni-1","reason":"x"}]',
      ).replace(/<[a-zA-Z]+>/g, 'value');
      const message = JSON.parse(filled);
      expect(message.alert).toMatch(/left resources in VPC value/);
      expect(message.leftovers).toHaveLength(1);
      expect(message.next).toContain(`npx pni --stack ${SERVICE}-${STAGE} teardown value`);
    },
  );

  test('X-Ray: active tracing on every function; every function role may write traces', () => {
    const roles = functionKeys.map(roleOfFunction).sort();
    for (const key of functionKeys)
      expect(resources[logicalFn(key)].Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const policy = resources.LambdaTracingPolicy;
    expect(policy.Type).toBe('AWS::IAM::Policy');
    expect(policy.Properties.Roles.map((r: Json) => r.Ref).sort()).toEqual(roles);
    expect(policy.Properties.PolicyDocument.Statement.flatMap(actionsOf).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('metrics: one namespace, the stage as a dimension', () => {
    for (const key of functionKeys) {
      const vars = resources[logicalFn(key)].Properties.Environment.Variables;
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe(config.custom.metricsNamespace);
      expect(vars.PNI_STAGE).toBe(STAGE);
    }
  });

  test('the dashboard shows every metric of the service and the alarms', () => {
    const [text, vars] = resources.OperationsDashboard.Properties.DashboardBody['Fn::Sub'];
    const body = JSON.parse(text.replace(/\$\{[^}]+\}/g, 'X'));
    expect(body.widgets.length).toBeGreaterThan(4);
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`"\${Namespace}", "${name}"`);
    expect(vars.Namespace).toBe(config.custom.metricsNamespace);
    expect(vars.Stage).toBe(STAGE);
    const alarms = body.widgets.find((w: Json) => w.type === 'alarm');
    expect(alarms.properties.alarms).toHaveLength(5);
  });
});

describe('bundles', () => {
  test('no sandbox, CLI or test code, no sandbox-only packages, no source maps', () => {
    for (const key of functionKeys) {
      const zip = readZip(join(outDir, `${key}.zip`));
      expect(zip.names).toEqual([`functions/${key}/handler.mjs`]);
      const code = zip.read(`functions/${key}/handler.mjs`).toString('utf8');
      // esbuild (unminified) heads every bundled module with a `// path` comment
      const modules = [...code.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((m) => m[1]);
      expect(modules.length).toBeGreaterThan(5);
      const foreign = modules.filter((m) =>
        /^(sandbox|cli|tests|bench|scripts)\/|node_modules\/(dynalite|aws-local-stepfunctions|tsx|yaml)\//.test(m),
      );
      expect({ key, foreign }).toEqual({ key, foreign: [] });
      expect(code).not.toMatch(/sourceMappingURL/);
    }
  });
});

const cfnLint = ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]
  .map((d) => join(d, 'cfn-lint'))
  .find((p) => existsSync(p));
(cfnLint ? test : test.skip)(
  'cfn-lint: the template is clean (.cfnlintrc.yaml)',
  async () => {
    const file = join(outDir, 'cloudformation-template-update-stack.json');
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(cfnLint ?? 'cfn-lint', [file], { cwd: root, timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
    expect(result).toEqual({ code: 0, out: '' });
  },
  300_000,
);
