import { createHash } from 'node:crypto';
import { canonicalJson, egressWarnings, normalizeInput, parseRequest, requestHash } from '#lib/request/parse.js';
import { canonical, exampleRequest, minimalRequest } from './fixtures.js';

const STACK_ID =
  'arn:aws:cloudformation:us-west-2:111122223333:stack/SC-111122223333-pp-abc/5b1f8e10-0000-11ef-8000-0a1b2c3d4e5f';

function cfnEvent(props: Record<string, unknown>, requestType = 'Create') {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:pni-sc',
    ResponseURL: 'https://cloudformation-custom-resource-response-uswest2.s3.amazonaws.com/x',
    StackId: STACK_ID,
    RequestId: 'c1a2b3c4-0000-4000-8000-000000000001',
    LogicalResourceId: 'PniConnection',
    ResourceType: 'Custom::PniConnection',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-west-2:111122223333:function:pni-sc', ...props },
  };
}

describe('normalizeInput', () => {
  it('console/CLI: the input is the request; the hint is the execution name', () => {
    const req = exampleRequest();
    expect(normalizeInput(req, 'pni-payments-usw2-a1')).toEqual({
      source: 'console',
      requestIdHint: 'pni-payments-usw2-a1',
      request: req,
    });
  });

  it('console/CLI: non-objects pass through to be rejected by parseRequest', () => {
    const n = normalizeInput('oops', 'exec');
    expect(n).toEqual({ source: 'console', requestIdHint: 'exec', request: 'oops' });
    expect(() => parseRequest(n.request, n.requestIdHint)).toThrow(
      'request: must be a JSON object (got the text "oops")',
    );
  });

  it('EventBridge (input transformer): request = detail, hint = evt-<event id>, eventId kept', () => {
    const detail = minimalRequest();
    const n = normalizeInput(
      { source: 'eventbridge', eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', request: detail },
      'exec',
    );
    expect(n).toEqual({
      source: 'eventbridge',
      requestIdHint: 'evt-6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      request: detail,
    });
    expect(parseRequest(n.request, n.requestIdHint).requestId).toBe('evt-6a7e8feb-b491-4cf7-a9f1-bf3703467718');
  });

  it('EventBridge: a requestId in the detail wins over the hint', () => {
    const n = normalizeInput({ source: 'eventbridge', eventId: 'e-1', request: exampleRequest() }, 'exec');
    expect(n.requestIdHint).toBe('evt-e-1');
    expect(parseRequest(n.request, n.requestIdHint).requestId).toBe('pni-payments-usw2');
  });

  it('EventBridge: the same event delivered twice gives the same request id', () => {
    const input = { source: 'eventbridge', eventId: 'e-2', request: minimalRequest() };
    const a = normalizeInput(input, 'exec-a');
    const b = normalizeInput(structuredClone(input), 'exec-b');
    expect(parseRequest(a.request, a.requestIdHint).requestId).toBe(parseRequest(b.request, b.requestIdHint).requestId);
  });

  it('EventBridge without an event id falls back to the execution name', () => {
    expect(normalizeInput({ source: 'eventbridge', request: {} }, 'exec-9')).toEqual({
      source: 'eventbridge',
      requestIdHint: 'exec-9',
      request: {},
    });
  });

  it('a raw EventBridge event (rule without the transformer) is understood too', () => {
    const detail = minimalRequest();
    const n = normalizeInput(
      {
        version: '0',
        id: 'abcd-1',
        'detail-type': 'PNI Provisioning Requested',
        source: 'platform.pni',
        account: '111122223333',
        time: '2025-01-01T00:00:00Z',
        region: 'us-west-2',
        resources: [],
        detail,
      },
      'exec',
    );
    expect(n).toEqual({ source: 'eventbridge', requestIdHint: 'evt-abcd-1', eventId: 'abcd-1', request: detail });
  });

  it('Service Catalog: request = ResourceProperties minus ServiceToken, numeric strings coerced', () => {
    const props = {
      ...minimalRequest(),
      enisPerSubnet: '20',
      ipAssignment: { mode: 'sequential', startOffset: '10' },
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: ['5432', '6543'] }] },
      egressRoutes: ['10.10.0.0/16'],
      tags: { team: 'payments' },
    };
    const n = normalizeInput({ source: 'servicecatalog', cfn: cfnEvent(props) }, 'exec');
    const hash = createHash('sha256').update(`${STACK_ID}|PniConnection`).digest('hex').slice(0, 16);
    expect(n.source).toBe('servicecatalog');
    expect(n.requestIdHint).toBe(`sc-${hash}`);
    expect(n.eventId).toBeUndefined();
    expect(n.request).toEqual({
      ...minimalRequest(),
      enisPerSubnet: 20,
      ipAssignment: { mode: 'sequential', startOffset: 10 },
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [5432, 6543] }] },
      egressRoutes: ['10.10.0.0/16'],
      tags: { team: 'payments' },
    });
    const req = parseRequest(n.request, n.requestIdHint);
    expect(req.requestId).toBe(`sc-${hash}`);
    expect(req.enisPerSubnet).toBe(20);
  });

  it('Service Catalog: the hint is stable across Create, Update and Delete of one resource, and differs per resource', () => {
    const create = normalizeInput({ source: 'servicecatalog', cfn: cfnEvent(minimalRequest(), 'Create') }, 'e1');
    const del = normalizeInput({ source: 'servicecatalog', cfn: cfnEvent(minimalRequest(), 'Delete') }, 'e2');
    const other = normalizeInput(
      { source: 'servicecatalog', cfn: { ...cfnEvent(minimalRequest()), LogicalResourceId: 'Other' } },
      'e1',
    );
    expect(create.requestIdHint).toBe(del.requestIdHint);
    expect(other.requestIdHint).not.toBe(create.requestIdHint);
  });

  it('Service Catalog: non-numeric strings are left for the schema to reject', () => {
    const n = normalizeInput(
      { source: 'servicecatalog', cfn: cfnEvent({ ...minimalRequest(), enisPerSubnet: 'many' }) },
      'exec',
    );
    expect(() => parseRequest(n.request, n.requestIdHint)).toThrow(
      'enisPerSubnet: must be a number (got the text "many")',
    );
  });

  it('Service Catalog: does not modify the event it was given', () => {
    const event = cfnEvent({ ...minimalRequest(), enisPerSubnet: '17' });
    const copy = structuredClone(event);
    normalizeInput({ source: 'servicecatalog', cfn: event }, 'exec');
    expect(event).toEqual(copy);
  });
});

describe('requestHash', () => {
  it('is a sha256 hex that ignores key order', () => {
    const a = canonical();
    const b = Object.fromEntries(Object.entries(canonical()).reverse()) as typeof a;
    expect(requestHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash(b)).toBe(requestHash(a));
  });

  it('changes with the content, including list order', () => {
    const a = canonical();
    expect(requestHash(canonical({ enisPerSubnet: 18 }))).not.toBe(requestHash(a));
    expect(requestHash(canonical({ subnetIds: [...a.subnetIds].reverse() }))).not.toBe(requestHash(a));
  });

  it('the same request sent with and without its defaults hashes the same', () => {
    const explicit = parseRequest(
      {
        ...minimalRequest(),
        enisPerSubnet: 17,
        ipAssignment: { mode: 'auto' },
        securityGroup: { egressRules: [] },
        egressRoutes: [],
        gateway: {},
        tags: {},
      },
      'r1',
    );
    expect(requestHash(explicit)).toBe(requestHash(parseRequest(minimalRequest(), 'r1')));
  });

  it('canonicalJson sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
  });
});

describe('egressWarnings', () => {
  it('warns about each route without an egress rule', () => {
    const req = canonical({
      egressRoutes: ['10.10.0.0/16', '10.20.0.0/16'],
      securityGroup: { egressRules: [{ cidr: '10.10.1.0/24', ports: [5432] }] },
    });
    expect(egressWarnings(req)).toEqual([
      'egress route 10.20.0.0/16 has no security group egress rule: fully managed connectors cannot reach it while the security group blocks egress',
    ]);
  });

  it('no warning when every route has a rule, or there are no routes', () => {
    expect(egressWarnings(parseRequest(exampleRequest(), 'x'))).toEqual([]);
    expect(egressWarnings(canonical())).toEqual([]);
  });

  it("no warning with an existing security group (its rules are the owner's)", () => {
    expect(
      egressWarnings(
        canonical({ egressRoutes: ['10.10.0.0/16'], securityGroup: { existingId: 'sg-0123456789abcdef0' } }),
      ),
    ).toEqual([]);
  });
});
