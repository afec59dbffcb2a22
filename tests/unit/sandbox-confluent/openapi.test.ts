import { describe, expect, it } from '@jest/globals';
import { validators } from './harness.js';

/** The validators the other tests run on every answer really check something. */
describe('OpenAPI validators', () => {
  const gateway = {
    api_version: 'networking/v1',
    kind: 'Gateway',
    id: 'gw-abc123',
    metadata: {
      self: 'http://127.0.0.1:1/networking/v1/gateways/gw-abc123',
      resource_name: 'crn://confluent.cloud/organization=x/environment=env-1/gateway=gw-abc123',
      created_at: '2026-03-01T12:00:00.000Z',
    },
    spec: {
      environment: {
        id: 'env-1',
        related: 'http://127.0.0.1:1/v2/environments/env-1',
        resource_name: 'crn://confluent.cloud/organization=x/environment=env-1',
      },
      config: { kind: 'AwsPrivateNetworkInterfaceGatewaySpec', region: 'us-west-2', zones: ['usw2-az1'] },
    },
    status: {
      phase: 'CREATED',
      cloud_gateway: { kind: 'AwsPrivateNetworkInterfaceGatewayStatus', account: '999988887777' },
    },
  };

  it('accepts a well-formed gateway', () => {
    expect(validators.component('gateway', 'networking.v1.Gateway')(gateway)).toEqual([]);
    expect(validators.operation('gateway', '/networking/v1/gateways/{id}', 'GET', 200)?.(gateway)).toEqual([]);
  });

  it('rejects a gateway whose environment reference lacks related, or whose config kind is unknown', () => {
    const noRelated = { ...gateway, spec: { ...gateway.spec, environment: { id: 'env-1', resource_name: 'crn://x' } } };
    expect(validators.component('gateway', 'networking.v1.Gateway')(noRelated).length).toBeGreaterThan(0);
    const badKind = { ...gateway, spec: { ...gateway.spec, config: { kind: 'Nope', region: 'x', zones: [] } } };
    expect(validators.component('gateway', 'networking.v1.Gateway')(badKind).length).toBeGreaterThan(0);
    const badDate = { ...gateway, metadata: { ...gateway.metadata, created_at: 'yesterday' } };
    expect(validators.component('gateway', 'networking.v1.Gateway')(badDate).length).toBeGreaterThan(0);
  });

  it('the 202 operation schema requires status', () => {
    const { status: _status, ...noStatus } = gateway;
    expect(validators.operation('gateway', '/networking/v1/gateways', 'POST', 202)?.(noStatus).length).toBeGreaterThan(
      0,
    );
  });

  it('an access point needs >= 51 ENIs and a 12-digit account', () => {
    const ap = {
      api_version: 'networking/v1',
      kind: 'AccessPoint',
      id: 'ap-1',
      metadata: { self: 'http://h/x' },
      spec: { config: { kind: 'AwsPrivateNetworkInterface', network_interfaces: ['eni-1'], account: '1' } },
      status: { phase: 'READY' },
    };
    const errors = validators.component('accessPoint', 'networking.v1.AccessPoint')(ap);
    expect(errors.join('\n')).toMatch(/fewer than 51|pattern/);
  });

  it('Failure requires errors', () => {
    expect(validators.component('gateway', 'Failure')({ message: 'x' }).length).toBeGreaterThan(0);
    expect(
      validators.component('accessPoint', 'Failure')({ errors: [{ status: '404', detail: 'x', source: {} }] }),
    ).toEqual([]);
  });
});
