/**
 * The event contract: events/schemas/*.json (JSON Schema 2020-12) against
 * - the builders in functions/lib/events.ts (every emitted detail validates; a missing field does not),
 * - the samples in events/ (trigger details, envelopes, put-events entries),
 * - the zod request schema in functions/lib/request/schema.ts (same verdict on the same requests,
 *   except for the rules JSON Schema cannot state, which are listed and checked to stay zod-only).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { events, type EmittedEvent } from '#lib/events.js';
import { DETAIL_TYPES, EVENT_DETAIL_VERSION, PHASES } from '#lib/constants.js';
import { provisioningRequestSchema } from '#lib/request/schema.js';
import { parseRequest } from '#lib/request/parse.js';
import type { Leftover } from '#lib/types.js';

type AjvClass = typeof Ajv2020Import.default;
const Ajv2020 = ((Ajv2020Import as unknown as { default?: AjvClass }).default ?? Ajv2020Import) as AjvClass;
type AddFormats = typeof addFormatsImport.default;
const addFormats = ((addFormatsImport as unknown as { default?: AddFormats }).default ??
  addFormatsImport) as AddFormats;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const eventsDir = join(root, 'events');
const schemasDir = join(eventsDir, 'schemas');
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const schemaFiles = readdirSync(schemasDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const validators = new Map(
  schemaFiles.map((f) => [f.replace(/\.json$/, ''), ajv.compile(readJson(join(schemasDir, f)))]),
);

function validator(name: string) {
  const v = validators.get(name);
  if (!v) throw new Error(`no schema events/schemas/${name}.json`);
  return v;
}
function check(name: string, data: unknown): { valid: boolean; errors: string } {
  const v = validator(name);
  const valid = v(data) as boolean;
  return { valid, errors: ajv.errorsText(v.errors, { separator: '\n' }) };
}
function expectValid(name: string, data: unknown): void {
  const r = check(name, data);
  if (!r.valid) throw new Error(`${name} rejected ${JSON.stringify(data).slice(0, 300)}:\n${r.errors}`);
}
function expectInvalid(name: string, data: unknown): void {
  expect(check(name, data).valid).toBe(false);
}

/** 'PNI Provisioning Phase Changed' -> 'pni-provisioning-phase-changed' */
const schemaNameFor = (detailType: string) => detailType.toLowerCase().replace(/\s+/g, '-');

// ------------------------------------------------------------------ realistic ids (sandbox seed)
const hex17 = (n: number) => n.toString(16).padStart(17, '0');
const ENI_IDS = Array.from({ length: 51 }, (_, i) => `eni-${hex17(0xa0000 + i)}`);
const base = {
  requestId: 'pni-sandbox-demo',
  environmentId: 'env-sandbox1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  region: 'us-west-2',
  executionArn: 'arn:aws:states:us-west-2:111122223333:execution:pni-provisioner-dev-provision:pni-sandbox-demo',
};
const ids = {
  gatewayId: 'gw-k3x9q2',
  confluentAccount: '999988887777',
  securityGroupId: 'sg-0123456789abcdef0',
  accessPointId: 'ap-7h2m4p',
};
const leftovers: Leftover[] = [
  {
    type: 'networkInterfacePermission',
    id: 'eni-perm-0f1e2d3c4b5a69788',
    reason: 'InvalidPermission.InUse: the ENI is attached',
  },
  { type: 'networkInterface', id: ENI_IDS[0], reason: 'InvalidNetworkInterface.InUse' },
  { type: 'securityGroup', id: ids.securityGroupId, reason: 'DependencyViolation after 5 attempts' },
];

/** One realistic detail per emitted detail-type, built by the real builders. */
const built: Record<string, EmittedEvent> = {
  started: events.started({
    ...base,
    attempt: 1,
    source: 'console',
    warnings: [
      'egress route 10.10.0.0/16 has no security group egress rule: fully managed connectors cannot reach it while the security group blocks egress',
    ],
  }),
  phaseChanged: events.phaseChanged({
    ...base,
    phase: 'GATEWAY_READY',
    gatewayId: ids.gatewayId,
    confluentAccount: ids.confluentAccount,
  }),
  succeeded: events.succeeded({ ...base, ...ids, gatewayCreatedByUs: true, eniIds: ENI_IDS, eniCount: ENI_IDS.length }),
  failed: events.failed({
    ...base,
    gatewayId: ids.gatewayId,
    securityGroupId: ids.securityGroupId,
    eniCount: 51,
    error: { name: 'AccessPointFailed', message: 'access point ap-7h2m4p went to FAILED' },
    failedStep: 'GetAccessPointStatus',
    rollback: { outcome: 'ROLLED_BACK', leftovers: [] },
  }),
  teardownSucceeded: events.teardownSucceeded({ ...base, ...ids, mode: 'teardown' }),
  teardownFailed: events.teardownFailed({ ...base, ...ids, mode: 'teardown', leftovers }),
  updateSucceeded: events.updateSucceeded({
    ...base,
    ...ids,
    changes: {
      egressRoutes: { from: [], to: ['10.10.0.0/16'] },
      ingressCidrs: { added: ['10.1.0.0/16'], removed: ['10.0.0.0/16'] },
    },
  }),
  updateFailed: events.updateFailed({
    ...base,
    ...ids,
    error: { name: 'RequestInvalid', message: 'vpcId: cannot change in place; create a new connection' },
    failedStep: 'validateUpdate',
  }),
};

describe('events/schemas', () => {
  test('every schema compiles under draft 2020-12 (ajv strict mode)', () => {
    expect(schemaFiles.length).toBeGreaterThanOrEqual(8);
    for (const f of schemaFiles) {
      const s = readJson(join(schemasDir, f));
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(validators.get(f.replace(/\.json$/, ''))).toBeInstanceOf(Function);
    }
  });

  test('there is one schema per detail-type, named after it', () => {
    const expected = Object.values(DETAIL_TYPES)
      .map((t) => `${schemaNameFor(t)}.json`)
      .sort();
    expect(schemaFiles).toEqual(expected);
    for (const t of Object.values(DETAIL_TYPES)) {
      expect(readJson(join(schemasDir, `${schemaNameFor(t)}.json`)).title).toBe(
        t === DETAIL_TYPES.provisioningRequested ? `${t} (detail) = the provisioning request, v1` : `${t} (detail)`,
      );
    }
  });

  test('emitted details are closed and pin version "1"', () => {
    for (const key of Object.keys(built)) {
      const s = readJson(join(schemasDir, `${schemaNameFor(built[key].detailType)}.json`));
      expect(s.additionalProperties).toBe(false);
      expect(s.properties.version).toMatchObject({ const: EVENT_DETAIL_VERSION });
      expect(s.required).toEqual(
        expect.arrayContaining(['version', 'requestId', 'environmentId', 'vpcId', 'region', 'executionArn']),
      );
    }
  });
});

describe('functions/lib/events.ts builders match their schemas', () => {
  test.each(Object.keys(built))('%s: the built detail validates', (key) => {
    const { detailType, detail } = built[key];
    expect(Object.values(DETAIL_TYPES)).toContain(detailType);
    expect(detail.version).toBe('1');
    expectValid(schemaNameFor(detailType), detail);
  });

  test.each(Object.keys(built))('%s: each required field is really required', (key) => {
    const { detailType, detail } = built[key];
    const name = schemaNameFor(detailType);
    const required: string[] = readJson(join(schemasDir, `${name}.json`)).required;
    for (const field of required) {
      const { [field]: _dropped, ...rest } = detail;
      expectInvalid(name, rest);
    }
  });

  test('an unknown field, a wrong version or a malformed id is rejected', () => {
    const name = schemaNameFor(DETAIL_TYPES.succeeded);
    const d = built.succeeded.detail;
    expectInvalid(name, { ...d, extra: 1 });
    expectInvalid(name, { ...d, version: '2' });
    expectInvalid(name, { ...d, gatewayId: 'gateway-1' });
    expectInvalid(name, { ...d, securityGroupId: 'sg-XYZ' });
    expectInvalid(name, { ...d, accessPointId: 'ap_1' });
    expectInvalid(name, { ...d, confluentAccount: '99998888777' });
    expectInvalid(name, { ...d, eniIds: ['eni-123'] });
    expectInvalid(name, { ...d, eniIds: ENI_IDS.slice(0, 50) });
    expectInvalid(name, { ...d, executionArn: 'pni-sandbox-demo' });
    expectInvalid(name, { ...d, requestId: 'has space' });
  });

  test('every phase is accepted, nothing else', () => {
    const name = schemaNameFor(DETAIL_TYPES.phaseChanged);
    for (const phase of PHASES) expectValid(name, events.phaseChanged({ ...base, phase }).detail);
    expectInvalid(name, { ...built.phaseChanged.detail, phase: 'DONE' });
  });

  test('started: source is one of the three entry points', () => {
    const name = schemaNameFor(DETAIL_TYPES.started);
    for (const source of ['console', 'eventbridge', 'servicecatalog'] as const) {
      expectValid(name, events.started({ ...base, attempt: 2, source, warnings: [] }).detail);
    }
    expectInvalid(name, { ...built.started.detail, source: 'api' });
    expectInvalid(name, { ...built.started.detail, attempt: 0 });
  });

  test('failed: ROLLED_BACK leaves nothing, ROLLBACK_FAILED names what is left (when known)', () => {
    const name = schemaNameFor(DETAIL_TYPES.failed);
    const d = built.failed.detail as Record<string, any>;
    expectValid(name, { ...d, rollback: { outcome: 'ROLLBACK_FAILED', leftovers } });
    // steps/outcome.ts: a rollback that could not run, with nothing in the record, has no list to give
    expectValid(name, { ...d, rollback: { outcome: 'ROLLBACK_FAILED', leftovers: [] } });
    expectInvalid(name, { ...d, rollback: { outcome: 'ROLLED_BACK', leftovers } });
    expectInvalid(name, { ...d, rollback: { outcome: 'PARTIAL', leftovers: [] } });
    expectInvalid(name, { ...d, error: { name: 'X' } });
  });

  test('leftovers: {type, id, reason}, the id matching its type', () => {
    const name = schemaNameFor(DETAIL_TYPES.teardownFailed);
    const d = built.teardownFailed.detail;
    const ok: Leftover[] = [
      { type: 'accessPoint', id: ids.accessPointId, reason: 'still DELETING at the deadline' },
      { type: 'gateway', id: ids.gatewayId, reason: 'Confluent answered 409' },
      ...leftovers,
    ];
    expectValid(name, { ...d, leftovers: ok });
    expectInvalid(name, { ...d, leftovers: [] });
    expectInvalid(name, { ...d, leftovers: [{ type: 'networkInterface', id: ids.securityGroupId, reason: 'x' }] });
    expectInvalid(name, { ...d, leftovers: [{ type: 'vpc', id: 'vpc-0a1b2c3d4e5f60718', reason: 'x' }] });
    expectInvalid(name, { ...d, leftovers: [{ type: 'gateway', id: ids.gatewayId }] });
    expectInvalid(name, { ...d, leftovers: [{ ...leftovers[0], extra: true }] });
    expectInvalid(name, { ...d, mode: 'rollback' });
  });
});

// ------------------------------------------------------------------ samples
const serverless = parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'));
const triggerSource: string = serverless.custom.triggerSource;
const sample = (f: string) => readJson(join(eventsDir, f));
const REQUEST = schemaNameFor(DETAIL_TYPES.provisioningRequested);
const TEARDOWN = schemaNameFor(DETAIL_TYPES.teardownRequested);

describe('events/ samples', () => {
  test('console-provision.json is a full request for the sandbox seed', () => {
    const req = sample('console-provision.json');
    expectValid(REQUEST, req);
    expect(req).toMatchObject({
      requestId: 'pni-sandbox-demo',
      environmentId: 'env-sandbox1',
      region: 'us-west-2',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetIds: ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'],
    });
    // every optional field is shown
    expect(Object.keys(req).sort()).toEqual(
      Object.keys(readJson(join(schemasDir, `${REQUEST}.json`)).properties).sort(),
    );
    expect(parseRequest(req, 'exec-name').requestId).toBe('pni-sandbox-demo');
  });

  test('console-teardown.json', () => {
    expectValid(TEARDOWN, sample('console-teardown.json'));
  });

  test.each([
    ['eventbridge-provisioning-requested.json', DETAIL_TYPES.provisioningRequested, REQUEST],
    ['eventbridge-teardown-requested.json', DETAIL_TYPES.teardownRequested, TEARDOWN],
  ])('%s is a full EventBridge envelope the rule matches', (file, detailType, schema) => {
    const ev = sample(file);
    expect(Object.keys(ev).sort()).toEqual([
      'account',
      'detail',
      'detail-type',
      'id',
      'region',
      'resources',
      'source',
      'time',
      'version',
    ]);
    expect(ev).toMatchObject({
      version: '0',
      'detail-type': detailType,
      source: triggerSource,
      account: '111122223333',
      region: 'us-west-2',
      resources: [],
    });
    expect(ev.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Number.isNaN(Date.parse(ev.time))).toBe(false);
    expectValid(schema, ev.detail);
    // the rule in serverless.yml matches it (source + detail-type)
    const rules = Object.values<any>(serverless.stepFunctions.stateMachines)
      .flatMap((m) => (m.events ?? []).filter((e: any) => e.eventBridge).map((e: any) => e.eventBridge.event))
      .filter((p) => p['detail-type'].includes(detailType));
    expect(rules).toHaveLength(1);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless.yml variable, not a template literal
    expect(rules[0].source.map((s: string) => s.replace('${self:custom.triggerSource}', triggerSource))).toContain(
      ev.source,
    );
  });

  test('the EventBridge provisioning sample is requestId pni-sandbox-eventbridge, and its teardown sample tears that one down', () => {
    expect(sample('eventbridge-provisioning-requested.json').detail.requestId).toBe('pni-sandbox-eventbridge');
    expect(sample('eventbridge-teardown-requested.json').detail).toEqual({ requestId: 'pni-sandbox-eventbridge' });
    expect(parseRequest(sample('eventbridge-provisioning-requested.json').detail, 'x').requestId).toBe(
      'pni-sandbox-eventbridge',
    );
  });

  test.each([
    ['put-events-provisioning-requested.json', DETAIL_TYPES.provisioningRequested, REQUEST],
    ['put-events-teardown-requested.json', DETAIL_TYPES.teardownRequested, TEARDOWN],
  ])('%s is an `aws events put-events --entries` list with Detail as a JSON string', (file, detailType, schema) => {
    const entries = sample(file);
    expect(Array.isArray(entries)).toBe(true);
    expect(entries).toHaveLength(1);
    const [e] = entries;
    expect(Object.keys(e).sort()).toEqual(['Detail', 'DetailType', 'EventBusName', 'Source']);
    expect(e).toMatchObject({ Source: triggerSource, DetailType: detailType, EventBusName: 'default' });
    expect(typeof e.Detail).toBe('string');
    expectValid(schema, JSON.parse(e.Detail));
  });

  test('the put-events provisioning entry carries the same request as the envelope sample', () => {
    expect(JSON.parse(sample('put-events-provisioning-requested.json')[0].Detail)).toEqual(
      sample('eventbridge-provisioning-requested.json').detail,
    );
  });
});

// ------------------------------------------------------------------ JSON Schema vs zod
const valid = sample('console-provision.json');
const minimal = {
  environmentId: 'env-abc123',
  region: 'us-west-2',
  vpcId: 'vpc-0a1b2c3d',
  subnetIds: ['subnet-0a1a1a1a', 'subnet-0b2b2b2b', 'subnet-0c3c3c3c'],
};
const without = (o: Record<string, unknown>, k: string) =>
  Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));

/** Requests on which the JSON Schema and zod must agree. */
const agreeing: Array<[string, unknown]> = [
  ['the console sample', valid],
  ['the minimal request', minimal],
  ['existing security group', { ...minimal, securityGroup: { existingId: 'sg-0123456789abcdef0' } }],
  ['empty security group (defaults)', { ...minimal, securityGroup: {} }],
  [
    'public ingress CIDR with consent',
    { ...minimal, securityGroup: { ingressCidrs: ['0.0.0.0/0'], allowPublicCidrs: true } },
  ],
  ['existing gateway', { ...minimal, gateway: { existingId: 'gw-abc123' } }],
  ['sequential IPs', { ...minimal, ipAssignment: { mode: 'sequential', startOffset: 4 } }],
  [
    'five routes',
    { ...minimal, egressRoutes: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.5.0.0/16'] },
  ],
  ['100 ENIs per subnet', { ...minimal, enisPerSubnet: 100 }],
  ['40 tags', { ...minimal, tags: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }],
  ['missing environmentId', without(valid, 'environmentId')],
  ['missing subnetIds', without(valid, 'subnetIds')],
  ['missing vpcId', without(valid, 'vpcId')],
  ['missing region', without(valid, 'region')],
  ['unknown field (typo)', { ...minimal, subnetId: 'subnet-0a1a1a1a' }],
  ['two subnets', { ...minimal, subnetIds: minimal.subnetIds.slice(0, 2) }],
  ['four subnets', { ...minimal, subnetIds: [...minimal.subnetIds, 'subnet-0d4d4d4d'] }],
  ['a subnet twice', { ...minimal, subnetIds: [minimal.subnetIds[0], minimal.subnetIds[0], minimal.subnetIds[1]] }],
  ['bad subnet id', { ...minimal, subnetIds: ['subnet-xyz', 'subnet-0b2b2b2b', 'subnet-0c3c3c3c'] }],
  ['bad environment id', { ...minimal, environmentId: 'lkc-123' }],
  ['bad region', { ...minimal, region: 'uswest2' }],
  ['bad vpc id', { ...minimal, vpcId: 'vpc-123' }],
  ['bad request id', { ...minimal, requestId: 'has.dot' }],
  ['request id too long', { ...minimal, requestId: 'a'.repeat(65) }],
  ['16 ENIs per subnet', { ...minimal, enisPerSubnet: 16 }],
  ['101 ENIs per subnet', { ...minimal, enisPerSubnet: 101 }],
  ['fractional ENIs', { ...minimal, enisPerSubnet: 17.5 }],
  ['startOffset 3', { ...minimal, ipAssignment: { mode: 'sequential', startOffset: 3 } }],
  ['sequential without offset', { ...minimal, ipAssignment: { mode: 'sequential' } }],
  ['unknown ip mode', { ...minimal, ipAssignment: { mode: 'random' } }],
  [
    'existingId and ingressCidrs',
    { ...minimal, securityGroup: { existingId: 'sg-0123456789abcdef0', ingressCidrs: ['10.0.0.0/16'] } },
  ],
  ['bad security group id', { ...minimal, securityGroup: { existingId: 'sg-nope' } }],
  ['empty ingress list', { ...minimal, securityGroup: { ingressCidrs: [] } }],
  ['ingress CIDR twice', { ...minimal, securityGroup: { ingressCidrs: ['10.0.0.0/16', '10.0.0.0/16'] } }],
  [
    '31 ingress CIDRs',
    { ...minimal, securityGroup: { ingressCidrs: Array.from({ length: 31 }, (_, i) => `10.${i}.0.0/16`) } },
  ],
  ['not a CIDR', { ...minimal, securityGroup: { ingressCidrs: ['10.0.0.0'] } }],
  ['prefix /33', { ...minimal, securityGroup: { ingressCidrs: ['10.0.0.0/33'] } }],
  [
    'port 0',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [0] }] },
    },
  ],
  [
    'port 65536',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [65536] }] },
    },
  ],
  [
    'no ports',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [] }] },
    },
  ],
  [
    'a port twice in a rule',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [5432, 5432] }] },
    },
  ],
  [
    'six routes',
    {
      ...minimal,
      egressRoutes: ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16', '10.5.0.0/16', '10.6.0.0/16'],
    },
  ],
  ['a route twice', { ...minimal, egressRoutes: ['10.1.0.0/16', '10.1.0.0/16'] }],
  ['route inside 240.0.0.0/4', { ...minimal, egressRoutes: ['241.0.0.0/8'] }],
  ['route 172.17.0.0/16', { ...minimal, egressRoutes: ['172.17.0.0/16'] }],
  ['route inside 172.23.0.0/16', { ...minimal, egressRoutes: ['172.23.4.0/24'] }],
  ['route 10.100.0.0/16', { ...minimal, egressRoutes: ['10.100.0.0/16'] }],
  ['route inside 10.255.0.0/16', { ...minimal, egressRoutes: ['10.255.1.0/24'] }],
  ['existingId and displayName', { ...minimal, gateway: { existingId: 'gw-abc123', displayName: 'x' } }],
  ['bad gateway id', { ...minimal, gateway: { existingId: 'gateway-1' } }],
  ['empty display name', { ...minimal, gateway: { displayName: '' } }],
  ['65-character access point name', { ...minimal, accessPointName: 'a'.repeat(65) }],
  ['41 tags', { ...minimal, tags: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v'])) }],
  ['reserved tag pni:', { ...minimal, tags: { 'pni:request-id': 'x' } }],
  ['reserved tag AWS: (any case)', { ...minimal, tags: { 'AWS:foo': 'x' } }],
  ['tag Name', { ...minimal, tags: { Name: 'x' } }],
  ['tag Confluent', { ...minimal, tags: { Confluent: 'false' } }],
  ['empty tag key', { ...minimal, tags: { '': 'x' } }],
  ['tag value too long', { ...minimal, tags: { team: 'x'.repeat(257) } }],
  ['tag value not a string', { ...minimal, tags: { team: 1 } }],
  ['not an object', ['env-abc123']],
];

/** Rules only zod (the workflow) enforces: the JSON Schema accepts these, zod must reject them. */
const zodOnly: Array<[string, unknown]> = [
  ['public ingress CIDR without consent', { ...minimal, securityGroup: { ingressCidrs: ['0.0.0.0/0'] } }],
  [
    'public egress rule without consent',
    {
      ...minimal,
      egressRoutes: ['52.0.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '52.0.1.0/24', ports: [443] }] },
    },
  ],
  ['CIDR with host bits', { ...minimal, securityGroup: { ingressCidrs: ['10.0.0.1/16'] } }],
  [
    'egress rule outside every route',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.20.1.0/24', ports: [5432] }] },
    },
  ],
  ['route that contains a forbidden range', { ...minimal, egressRoutes: ['10.0.0.0/8'] }],
  [
    'same (CIDR, port) in two rules',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: {
        egressRules: [
          { cidr: '10.10.1.0/24', ports: [5432] },
          { cidr: '10.10.1.0/24', ports: [5432, 6543] },
        ],
      },
    },
  ],
  [
    'more than 60 (CIDR, port) pairs',
    {
      ...minimal,
      egressRoutes: ['10.10.0.0/16'],
      securityGroup: {
        egressRules: Array.from({ length: 31 }, (_, i) => ({ cidr: `10.10.${i}.0/24`, ports: [1, 2] })),
      },
    },
  ],
];

describe('pni-provisioning-requested.json agrees with functions/lib/request/schema.ts', () => {
  test.each(agreeing)('%s', (_label, request) => {
    const zodOk = provisioningRequestSchema.safeParse(request).success;
    const jsonOk = check(REQUEST, request).valid;
    expect({ jsonSchema: jsonOk }).toEqual({ jsonSchema: zodOk });
  });

  test.each(zodOnly)('zod-only rule: %s', (_label, request) => {
    expect(check(REQUEST, request).valid).toBe(true);
    expect(provisioningRequestSchema.safeParse(request).success).toBe(false);
  });

  test('same fields, same required fields', () => {
    const s = readJson(join(schemasDir, `${REQUEST}.json`));
    expect(Object.keys(s.properties).sort()).toEqual(Object.keys(provisioningRequestSchema.shape).sort());
    const zodRequired = Object.entries(provisioningRequestSchema.shape)
      .filter(([, v]) => !(v as { safeParse(x: unknown): { success: boolean } }).safeParse(undefined).success)
      .map(([k]) => k)
      .sort();
    expect([...s.required].sort()).toEqual(zodRequired);
  });

  test('documented defaults are the defaults zod applies', () => {
    const s = readJson(join(schemasDir, `${REQUEST}.json`));
    const parsed = provisioningRequestSchema.parse(minimal) as Record<string, unknown>;
    for (const [k, prop] of Object.entries<any>(s.properties)) {
      if ('default' in prop) expect({ [k]: parsed[k] }).toEqual({ [k]: prop.default });
    }
  });
});
