import {
  cidrContains,
  cidrsOverlap,
  formatIpv4,
  hostAt,
  isReservedAddress,
  isValidCidr,
  parseCidr,
  parseIpv4,
  usableAddressCount,
} from '#lib/cidr.js';

describe('parseIpv4 / formatIpv4', () => {
  it('round-trips addresses across the whole range', () => {
    for (const ip of ['0.0.0.0', '10.0.0.1', '192.168.255.254', '255.255.255.255']) {
      expect(formatIpv4(parseIpv4(ip))).toBe(ip);
    }
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(parseIpv4('10.0.0.1')).toBe(10 * 2 ** 24 + 1);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.0.1',
    '256.0.0.1',
    '10.0.0.-1',
    '10.00.0.1',
    '010.0.0.1',
    'a.b.c.d',
    ' 10.0.0.1',
    '10.0.0.1/32',
  ])('rejects %p', (bad) => {
    expect(() => parseIpv4(bad)).toThrow(/is not an IPv4 address/);
  });

  it('formatIpv4 rejects out-of-range numbers', () => {
    expect(() => formatIpv4(-1)).toThrow(RangeError);
    expect(() => formatIpv4(2 ** 32)).toThrow(RangeError);
    expect(() => formatIpv4(1.5)).toThrow(RangeError);
  });
});

describe('parseCidr / isValidCidr', () => {
  it('parses canonical blocks', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ base: parseIpv4('10.0.0.0'), prefix: 16, size: 65536 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ base: 0, prefix: 0, size: 2 ** 32 });
    expect(parseCidr('10.1.2.3/32')).toEqual({ base: parseIpv4('10.1.2.3'), prefix: 32, size: 1 });
    expect(parseCidr('240.0.0.0/4').size).toBe(2 ** 28);
  });

  it('requires the network address and says which one', () => {
    expect(() => parseCidr('10.0.0.1/16')).toThrow(
      '"10.0.0.1/16" is not a network address (host bits are set); use 10.0.0.0/16',
    );
  });

  it.each([
    '10.0.0.0',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/08',
    '10.0.0.0/',
    '/16',
    '10.0.0/16',
    '10.0.0.0/16/1',
    'x/16',
  ])('rejects %p', (bad) => {
    expect(() => parseCidr(bad)).toThrow();
    expect(isValidCidr(bad)).toBe(false);
  });

  it('isValidCidr accepts canonical blocks and rejects non-strings', () => {
    expect(isValidCidr('10.10.0.0/16')).toBe(true);
    expect(isValidCidr(undefined)).toBe(false);
    expect(isValidCidr(42)).toBe(false);
  });
});

describe('cidrContains / cidrsOverlap', () => {
  it('containment of blocks and single addresses', () => {
    expect(cidrContains('10.10.0.0/16', '10.10.1.0/24')).toBe(true);
    expect(cidrContains('10.10.0.0/16', '10.10.0.0/16')).toBe(true);
    expect(cidrContains('10.10.1.0/24', '10.10.0.0/16')).toBe(false);
    expect(cidrContains('10.10.0.0/16', '10.11.0.0/24')).toBe(false);
    expect(cidrContains('10.10.0.0/16', '10.10.255.255')).toBe(true);
    expect(cidrContains('10.10.0.0/16', '10.11.0.0')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '255.255.255.255/32')).toBe(true);
  });

  it.each([
    ['240.0.0.0/4', '250.1.0.0/16', true],
    ['10.100.0.0/16', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.100.0.0/16', true],
    ['10.101.0.0/16', '10.100.0.0/16', false],
    ['10.99.0.0/16', '10.100.0.0/16', false],
    ['10.100.255.0/24', '10.100.0.0/16', true],
    ['0.0.0.0/0', '240.0.0.0/4', true],
    ['239.255.255.255/32', '240.0.0.0/4', false],
    ['172.16.0.0/15', '172.17.0.0/16', true],
    ['172.16.0.0/16', '172.17.0.0/16', false],
  ])('%s overlaps %s: %p', (a, b, expected) => {
    expect(cidrsOverlap(a, b)).toBe(expected);
    expect(cidrsOverlap(b, a)).toBe(expected);
  });
});

describe('hostAt / isReservedAddress / usableAddressCount', () => {
  it('hostAt counts from the network address, negatives from the end', () => {
    expect(hostAt('10.0.1.0/24', 0)).toBe('10.0.1.0');
    expect(hostAt('10.0.1.0/24', 10)).toBe('10.0.1.10');
    expect(hostAt('10.0.0.0/16', 256)).toBe('10.0.1.0');
    expect(hostAt('10.0.1.0/24', -1)).toBe('10.0.1.255');
    expect(() => hostAt('10.0.1.0/24', 256)).toThrow(RangeError);
    expect(() => hostAt('10.0.1.0/24', -257)).toThrow(RangeError);
  });

  it('the five AWS-reserved addresses', () => {
    const reserved = ['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255'];
    for (const ip of reserved) expect(isReservedAddress('10.0.1.0/24', ip)).toBe(true);
    for (const ip of ['10.0.1.4', '10.0.1.128', '10.0.1.254']) expect(isReservedAddress('10.0.1.0/24', ip)).toBe(false);
    expect(isReservedAddress('10.0.1.0/24', '10.0.2.0')).toBe(false);
    expect(isReservedAddress('10.0.0.0/28', '10.0.0.15')).toBe(true);
  });

  it('usable addresses = size - 5', () => {
    expect(usableAddressCount('10.0.1.0/24')).toBe(251);
    expect(usableAddressCount('10.0.0.0/28')).toBe(11);
    expect(usableAddressCount('10.0.0.0/16')).toBe(65531);
    expect(usableAddressCount('10.0.0.0/32')).toBe(0);
  });
});
