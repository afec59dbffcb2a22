/** (day 2) The new detail-types: each builder's output validates against its schema, and the schemas are closed. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Import from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { events, type EmittedEvent } from '#lib/events.js';
import type { Difference } from '#lib/types.js';

type AjvClass = typeof Ajv2020Import.default;
const Ajv2020 = ((Ajv2020Import as unknown as { default?: AjvClass }).default ?? Ajv2020Import) as AjvClass;
type AddFormats = typeof addFormatsImport.default;
const addFormats = ((addFormatsImport as unknown as { default?: AddFormats }).default ??
  addFormatsImport) as AddFormats;

const schemasDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'events', 'schemas');
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
const validate = (detailType: string, detail: unknown) => {
  const name = detailType.toLowerCase().replace(/\s+/g, '-');
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(schemasDir, `${name}.json`), 'utf8')));
    compiled.set(name, v);
  }
  const ok = v(detail) as boolean;
  return { ok, errors: ajv.errorsText(v.errors) };
};

const base = {
  requestId: 'pni-sandbox-demo',
  environmentId: 'env-sandbox1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  region: 'us-west-2',
  executionArn: 'arn:aws:states:us-west-2:111122223333:execution:pni-provisioner-dev-drift:pni-sandbox-demo-drift',
  gatewayId: 'gw-k3x9q2',
  confluentAccount: '999988887777',
  securityGroupId: 'sg-0123456789abcdef0',
  accessPointId: 'ap-7h2m4p',
  eniCount: 51,
};
const differences: Difference[] = [
  {
    resource: 'networkInterfacePermission',
    id: 'eni-0000000000000a000',
    expected: 'INSTANCE-ATTACH for 999988887777',
    actual: 'none',
  },
  {
    resource: 'securityGroupRule',
    id: 'sg-0123456789abcdef0',
    expected: 'absent',
    actual: 'ingress tcp 22 from 0.0.0.0/0',
  },
];

const built: Record<string, EmittedEvent> = {
  driftDetected: events.driftDetected({ ...base, checkedAt: '2026-12-04T16:00:00.000Z', differences }),
  repairSucceeded: events.repairSucceeded({ ...base, repaired: ['granted INSTANCE-ATTACH on eni-0000000000000a000'] }),
  repairFailed: events.repairFailed({
    ...base,
    error: { name: 'RequestLocked', message: 'locked' },
    repaired: [],
    differences,
  }),
  provisioningRejected: events.provisioningRejected({
    requestId: 'pni-bad',
    executionArn: base.executionArn,
    environmentId: 'env-sandbox1',
    error: { name: 'RequestInvalid', message: 'enisPerSubnet: must be at least 17' },
    errors: [{ field: 'enisPerSubnet', message: 'must be at least 17' }],
  }),
  provisioningRejectedExists: events.provisioningRejected({
    requestId: 'pni-second',
    executionArn: base.executionArn,
    environmentId: 'env-sandbox1',
    vpcId: base.vpcId,
    region: base.region,
    error: { name: 'ConnectionExists', message: '... request pni-first (SUCCEEDED) ...' },
    errors: [{ field: 'vpcId', message: '... request pni-first (SUCCEEDED) ...' }],
    existingRequestId: 'pni-first',
  }),
  requestNotFound: events.requestNotFound({
    requestId: 'pni-nobody',
    executionArn: base.executionArn,
    action: 'repair',
    message: 'no request with id pni-nobody is known: nothing to repair',
  }),
};

test.each(Object.keys(built))('%s: the built detail validates against its schema', (key) => {
  const { detailType, detail } = built[key];
  expect(detail.version).toBe('1');
  expect(validate(detailType, detail)).toEqual({ ok: true, errors: 'No errors' });
});

test.each(Object.keys(built))('%s: an unknown field is rejected (closed schema)', (key) => {
  const { detailType, detail } = built[key];
  expect(validate(detailType, { ...detail, surprise: 1 }).ok).toBe(false);
});

test('a difference names a known resource and carries expected and actual', () => {
  const { detailType, detail } = built.driftDetected;
  expect(validate(detailType, { ...detail, differences: [{ ...differences[0], resource: 'vpc' }] }).ok).toBe(false);
  expect(validate(detailType, { ...detail, differences: [] }).ok).toBe(false);
  const { actual: _a, ...noActual } = differences[0];
  expect(validate(detailType, { ...detail, differences: [noActual] }).ok).toBe(false);
});

test('PNI Repair Requested: a request id, nothing else', () => {
  expect(validate('PNI Repair Requested', { requestId: 'pni-sandbox-demo' }).ok).toBe(true);
  expect(validate('PNI Repair Requested', { requestId: 'bad id' }).ok).toBe(false);
  expect(validate('PNI Repair Requested', {}).ok).toBe(false);
});
