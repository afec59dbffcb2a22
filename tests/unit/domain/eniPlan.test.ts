import { clientToken, planEnis, sequentialAddresses } from '#lib/eniPlan.js';
import { RequestInvalid } from '#lib/errors.js';
import { canonical, subnetFacts, SUBNET_A, SUBNET_B, SUBNET_C } from './fixtures.js';

describe('clientToken', () => {
  it('is deterministic, ASCII, at most 64 characters', () => {
    const t = clientToken('pni-payments-usw2', 1, 0);
    expect(t).toBe(clientToken('pni-payments-usw2', 1, 0));
    expect(t).toMatch(/^pni-[0-9a-f]{40}$/);
    expect(t.length).toBeLessThanOrEqual(64);
    expect(clientToken('r'.repeat(64), 999, 299).length).toBeLessThanOrEqual(64);
  });

  it('differs per slot, per attempt and per request', () => {
    const slots = new Set(Array.from({ length: 300 }, (_, s) => clientToken('req', 1, s)));
    expect(slots.size).toBe(300);
    expect(clientToken('req', 2, 0)).not.toBe(clientToken('req', 1, 0));
    expect(clientToken('req-b', 1, 0)).not.toBe(clientToken('req', 1, 0));
    // no ambiguity from joining: ("a", 11, 1) vs ("a", 1, 11)
    expect(clientToken('a', 11, 1)).not.toBe(clientToken('a', 1, 11));
  });
});

describe('sequentialAddresses', () => {
  it('startOffset 4 on a /24 starts at .4', () => {
    expect(sequentialAddresses('10.0.1.0/24', 4, 3)).toEqual(['10.0.1.4', '10.0.1.5', '10.0.1.6']);
  });

  it('startOffset 10 gives .10 to .26 for 17 ENIs', () => {
    const ips = sequentialAddresses('10.0.1.0/24', 10, 17);
    expect(ips[0]).toBe('10.0.1.10');
    expect(ips[16]).toBe('10.0.1.26');
  });

  it('crosses octet boundaries in larger subnets', () => {
    expect(sequentialAddresses('10.0.0.0/16', 254, 4)).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
  });

  it('skips the reserved addresses (a too-small offset starts at .4; never the broadcast address)', () => {
    expect(sequentialAddresses('10.0.1.0/24', 0, 2)).toEqual(['10.0.1.4', '10.0.1.5']);
    expect(sequentialAddresses('10.0.1.0/24', 250, 5)).toEqual([
      '10.0.1.250',
      '10.0.1.251',
      '10.0.1.252',
      '10.0.1.253',
      '10.0.1.254',
    ]);
    expect(() => sequentialAddresses('10.0.1.0/24', 250, 6)).toThrow(RequestInvalid);
    expect(sequentialAddresses('10.0.0.0/28', 4, 11)).toEqual([
      '10.0.0.4',
      '10.0.0.5',
      '10.0.0.6',
      '10.0.0.7',
      '10.0.0.8',
      '10.0.0.9',
      '10.0.0.10',
      '10.0.0.11',
      '10.0.0.12',
      '10.0.0.13',
      '10.0.0.14',
    ]);
  });

  it('a /28 runs out: RequestInvalid on ipAssignment.startOffset', () => {
    let err: unknown;
    try {
      sequentialAddresses('10.0.0.0/28', 4, 17);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestInvalid);
    expect((err as RequestInvalid).message).toBe(
      'ipAssignment.startOffset: subnet 10.0.0.0/28 has room for only 11 addresses from offset 4 but 17 are needed (its last usable offset is 14)',
    );
    expect(() => sequentialAddresses('10.0.1.0/24', 240, 17)).toThrow(
      'ipAssignment.startOffset: subnet 10.0.1.0/24 has room for only 15 addresses from offset 240 but 17 are needed (its last usable offset is 254)',
    );
  });
});

describe('planEnis', () => {
  it('17 per subnet: 51 slots, subnet by subnet, names and descriptions as in the seed', () => {
    const req = canonical();
    const slots = planEnis(req, subnetFacts(), 1);
    expect(slots).toHaveLength(51);
    expect(slots.map((s) => s.slot)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(slots[0]).toEqual({
      slot: 0,
      subnetId: SUBNET_A,
      zoneId: 'usw2-az1',
      clientToken: clientToken(req.requestId, 1, 0),
      description: 'Confluent PNI-sub-0-eni-1',
      name: 'pni-pni-payments-usw2-sub-0-eni-1',
    });
    expect(slots[16]).toMatchObject({ subnetId: SUBNET_A, description: 'Confluent PNI-sub-0-eni-17' });
    expect(slots[17]).toMatchObject({
      subnetId: SUBNET_B,
      zoneId: 'usw2-az2',
      description: 'Confluent PNI-sub-1-eni-1',
      name: 'pni-pni-payments-usw2-sub-1-eni-1',
    });
    expect(slots[50]).toMatchObject({
      subnetId: SUBNET_C,
      zoneId: 'usw2-az3',
      description: 'Confluent PNI-sub-2-eni-17',
    });
    expect(slots.every((s) => s.privateIp === undefined && !('privateIp' in s))).toBe(true);
    expect(new Set(slots.map((s) => s.clientToken)).size).toBe(51);
    expect(new Set(slots.map((s) => s.name)).size).toBe(51);
  });

  it('20 per subnet: 60 slots, subnet i holds slots i*20 .. i*20+19', () => {
    const slots = planEnis(canonical({ enisPerSubnet: 20 }), subnetFacts(), 1);
    expect(slots).toHaveLength(60);
    for (const s of slots) {
      expect(s.subnetId).toBe([SUBNET_A, SUBNET_B, SUBNET_C][Math.floor(s.slot / 20)]);
      expect(s.description).toBe(`Confluent PNI-sub-${Math.floor(s.slot / 20)}-eni-${(s.slot % 20) + 1}`);
    }
    expect(slots[19].description).toBe('Confluent PNI-sub-0-eni-20');
    expect(slots[20].description).toBe('Confluent PNI-sub-1-eni-1');
  });

  it('sequential mode gives each slot its address', () => {
    const slots = planEnis(canonical({ ipAssignment: { mode: 'sequential', startOffset: 10 } }), subnetFacts(), 1);
    expect(slots[0].privateIp).toBe('10.0.1.10');
    expect(slots[16].privateIp).toBe('10.0.1.26');
    expect(slots[17].privateIp).toBe('10.0.2.10');
    expect(slots[50].privateIp).toBe('10.0.3.26');
  });

  it('sequential mode in a subnet that is too small throws RequestInvalid', () => {
    const facts = subnetFacts();
    facts[1] = { ...facts[1], cidr: '10.0.2.0/28', availableIps: 11 };
    expect(() => planEnis(canonical({ ipAssignment: { mode: 'sequential', startOffset: 4 } }), facts, 1)).toThrow(
      RequestInvalid,
    );
  });

  it('tokens are stable across calls and change with the attempt', () => {
    const a = planEnis(canonical(), subnetFacts(), 1);
    const again = planEnis(canonical(), subnetFacts(), 1);
    const next = planEnis(canonical(), subnetFacts(), 2);
    expect(again.map((s) => s.clientToken)).toEqual(a.map((s) => s.clientToken));
    for (const [i, s] of next.entries()) expect(s.clientToken).not.toBe(a[i].clientToken);
    expect(a.every((s) => s.clientToken.length <= 64)).toBe(true);
  });

  it('refuses subnets not in request order', () => {
    expect(() => planEnis(canonical(), subnetFacts().reverse(), 1)).toThrow(/req.subnetIds order/);
  });
});
