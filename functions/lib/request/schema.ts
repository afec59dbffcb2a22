/**
 * THE provisioning request contract (docs/architecture.md section 3, v1), as users send it.
 *
 * Every object is strict: an unknown key is an error naming the key (a typo such as "subnetId"
 * must not be silently ignored). Every check carries its message in plain words; `parse.ts`
 * turns the first failure into `RequestInvalid(field, rule)`.
 *
 * Formats and why:
 * - `requestId`: `^[a-zA-Z0-9][a-zA-Z0-9-_]{0,63}$`. It becomes part of resource names
 *   (`pni-<id>-sub-0-eni-1`), tag values, Confluent display names and Step Functions execution
 *   names (which allow only letters, digits, '-' and '_' and at most 80 characters, leaving room
 *   for an attempt suffix). Optional: when absent it is derived from the entry point.
 * - `ipAssignment.startOffset` >= 4: offsets 0..3 of every subnet are reserved by AWS (network
 *   address, VPC router, DNS, future use); the last address (broadcast) is skipped as well.
 *   The first ENI of each subnet gets `base + startOffset`, the next ones the following addresses.
 * - `securityGroup`: either `{ existingId }` (the group is used as it is) or
 *   `{ ingressCidrs?, egressRules }` (a group is created; ingressCidrs defaults to the VPC CIDR,
 *   filled by `withDefaults` once the VPC is known). Each (CIDR, port) pair is one EC2 rule and
 *   EC2 allows MAX_RULES_PER_SECURITY_GROUP_DIRECTION per direction, so with the two PNI ports at
 *   most 30 ingress CIDRs fit, and the egress rules may hold at most 60 (CIDR, port) pairs in all.
 * - `securityGroup.allowPublicCidrs`: ingress CIDRs and egress rule CIDRs must lie inside a private range
 *   (RFC 1918) unless this is `true` (0.0.0.0/0 and every other public range need this consent).
 * - `gateway`: either `{ existingId }` (reuse) or `{ displayName? }` (create).
 * - `tags`: go on everything created, next to the provisioner's own tags (`pni:*`, `Confluent`,
 *   `Name`), which users may therefore not set.
 */
import { z } from 'zod';
import {
  FORBIDDEN_ROUTE_CIDRS,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_EGRESS_ROUTES,
  MAX_ENIS_PER_SUBNET,
  MAX_REQUEST_ID_LENGTH,
  MAX_RULES_PER_SECURITY_GROUP_DIRECTION,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_USER_TAGS,
  MIN_TOTAL_ENIS,
  PNI_INGRESS_PORTS,
  PRIVATE_IPV4_RANGES,
  REQUIRED_SUBNETS,
  RESERVED_LEADING_ADDRESSES,
  RESERVED_TAG_PREFIXES,
  TAG_CONFLUENT,
  TAG_NAME,
  DEFAULT_ENIS_PER_SUBNET,
} from '../constants.js';
import { cidrContains, cidrsOverlap, isValidCidr, parseCidr } from '../cidr.js';
import type { GatewayRequest, IpAssignment, SecurityGroupRequest } from '../types.js';

export const REQUEST_ID_PATTERN = new RegExp(`^[a-zA-Z0-9][a-zA-Z0-9_-]{0,${MAX_REQUEST_ID_LENGTH - 1}}$`);
export const ENVIRONMENT_ID_PATTERN = /^env-[a-z0-9]+$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const SECURITY_GROUP_ID_PATTERN = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const GATEWAY_ID_PATTERN = /^gw-[a-z0-9]+$/;

/** Smallest enisPerSubnet that gives MIN_TOTAL_ENIS over REQUIRED_SUBNETS subnets (17). */
export const MIN_ENIS_PER_SUBNET = Math.ceil(MIN_TOTAL_ENIS / REQUIRED_SUBNETS);
/** Ingress CIDRs that fit the rule quota with one rule per (CIDR, PNI port) (30). */
export const MAX_INGRESS_CIDRS = Math.floor(MAX_RULES_PER_SECURITY_GROUP_DIRECTION / PNI_INGRESS_PORTS.length);

/** A canonical IPv4 CIDR; the message says what is wrong with it. */
const cidrString = z.string().superRefine((value, ctx) => {
  try {
    parseCidr(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `must be an IPv4 CIDR block: ${(err as Error).message}` });
  }
});

const displayName = (what: string) =>
  z
    .string()
    .min(1, { error: `must not be empty` })
    .max(MAX_DISPLAY_NAME_LENGTH, { error: `${what} must be at most ${MAX_DISPLAY_NAME_LENGTH} characters` });

const port = z
  .int()
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });

const egressRuleSchema = z
  .strictObject({
    cidr: cidrString,
    ports: z.array(port).min(1, { error: 'must list at least one port' }),
  })
  .superRefine((rule, ctx) => {
    rule.ports.forEach((p, j) => {
      const first = rule.ports.indexOf(p);
      if (first !== j)
        ctx.addIssue({
          code: 'custom',
          path: ['ports', j],
          message: `port ${p} is listed twice (also ports[${first}])`,
        });
    });
  });

const ipAssignmentSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('auto') }),
    z.strictObject({
      mode: z.literal('sequential'),
      startOffset: z.int().min(RESERVED_LEADING_ADDRESSES, {
        error: `must be at least ${RESERVED_LEADING_ADDRESSES}: AWS reserves the first ${RESERVED_LEADING_ADDRESSES} addresses of every subnet`,
      }),
    }),
  ],
  { error: (iss) => (iss.code === 'invalid_union' ? 'must be "auto" or "sequential"' : undefined) },
);

/** Is `cidr` wholly inside a private (RFC 1918) range? */
export function isPrivateCidr(cidr: string): boolean {
  return PRIVATE_IPV4_RANGES.some((range) => cidrContains(range, cidr));
}
const PUBLIC_CONSENT = `is not inside a private range (${PRIVATE_IPV4_RANGES.join(', ')}); set securityGroup.allowPublicCidrs: true to allow a public range`;

const securityGroupSchema = z
  .strictObject({
    existingId: z
      .string()
      .regex(SECURITY_GROUP_ID_PATTERN, { error: 'must be a security group id such as sg-0123456789abcdef0' })
      .optional(),
    ingressCidrs: z
      .array(cidrString)
      .min(1, { error: 'must list at least one CIDR block (leave it out to allow the VPC CIDR)' })
      .max(MAX_INGRESS_CIDRS, {
        error: `at most ${MAX_INGRESS_CIDRS} CIDR blocks: each needs one rule per port (${PNI_INGRESS_PORTS.join(', ')}) and a security group holds ${MAX_RULES_PER_SECURITY_GROUP_DIRECTION} ingress rules`,
      })
      .optional(),
    egressRules: z.array(egressRuleSchema).optional(),
    allowPublicCidrs: z.boolean().optional(),
  })
  .superRefine((sg, ctx) => {
    if (
      sg.existingId !== undefined &&
      (sg.ingressCidrs !== undefined || sg.egressRules !== undefined || sg.allowPublicCidrs !== undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['existingId'],
        message:
          'give either existingId (use that security group as it is) or ingressCidrs/egressRules (create one), not both',
      });
    }
    // Public ranges need consent: ingress from them opens the ENIs to the internet side, egress to them lets
    // connectors reach out of the private network.
    if (sg.allowPublicCidrs !== true) {
      sg.ingressCidrs?.forEach((c, j) => {
        if (isValidCidr(c) && !isPrivateCidr(c))
          ctx.addIssue({ code: 'custom', path: ['ingressCidrs', j], message: `${c} ${PUBLIC_CONSENT}` });
      });
      sg.egressRules?.forEach((rule, i) => {
        if (isValidCidr(rule.cidr) && !isPrivateCidr(rule.cidr))
          ctx.addIssue({ code: 'custom', path: ['egressRules', i, 'cidr'], message: `${rule.cidr} ${PUBLIC_CONSENT}` });
      });
    }
    sg.ingressCidrs?.forEach((c, j, all) => {
      const first = all.indexOf(c);
      if (first !== j)
        ctx.addIssue({
          code: 'custom',
          path: ['ingressCidrs', j],
          message: `${c} is listed twice (also ingressCidrs[${first}])`,
        });
    });
    if (sg.egressRules) {
      const seen = new Map<string, number>();
      let pairs = 0;
      sg.egressRules.forEach((rule, i) => {
        rule.ports.forEach((p, j) => {
          const key = `${rule.cidr} ${p}`;
          const prev = seen.get(key);
          if (prev !== undefined && prev !== i) {
            ctx.addIssue({
              code: 'custom',
              path: ['egressRules', i, 'ports', j],
              message: `port ${p} to ${rule.cidr} is already allowed by egressRules[${prev}]`,
            });
          }
          if (prev === undefined) seen.set(key, i);
        });
        pairs += rule.ports.length;
      });
      if (pairs > MAX_RULES_PER_SECURITY_GROUP_DIRECTION) {
        ctx.addIssue({
          code: 'custom',
          path: ['egressRules'],
          message: `at most ${MAX_RULES_PER_SECURITY_GROUP_DIRECTION} (CIDR, port) pairs in all (a security group holds ${MAX_RULES_PER_SECURITY_GROUP_DIRECTION} egress rules); these make ${pairs}`,
        });
      }
    }
  })
  .transform(
    (sg): SecurityGroupRequest =>
      sg.existingId !== undefined
        ? { existingId: sg.existingId }
        : {
            ...(sg.ingressCidrs !== undefined ? { ingressCidrs: sg.ingressCidrs } : {}),
            egressRules: sg.egressRules ?? [],
            ...(sg.allowPublicCidrs === true ? { allowPublicCidrs: true as const } : {}),
          },
  );

const gatewaySchema = z
  .strictObject({
    existingId: z
      .string()
      .regex(GATEWAY_ID_PATTERN, { error: 'must be a Confluent gateway id such as gw-abc123' })
      .optional(),
    displayName: displayName('a gateway display name').optional(),
  })
  .superRefine((gw, ctx) => {
    if (gw.existingId !== undefined && gw.displayName !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['existingId'],
        message: 'give either existingId (reuse that gateway) or displayName (create one), not both',
      });
    }
  })
  .transform(
    (gw): GatewayRequest =>
      gw.existingId !== undefined
        ? { existingId: gw.existingId }
        : gw.displayName !== undefined
          ? { displayName: gw.displayName }
          : {},
  );

const tagsSchema = z
  .record(
    z.string(),
    z.string().max(MAX_TAG_VALUE_LENGTH, { error: `a tag value must be at most ${MAX_TAG_VALUE_LENGTH} characters` }),
  )
  .superRefine((tags, ctx) => {
    const keys = Object.keys(tags);
    if (keys.length > MAX_USER_TAGS) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${MAX_USER_TAGS} tags (EC2 allows 50 per resource and the provisioner adds its own); got ${keys.length}`,
      });
    }
    for (const key of keys) {
      const prefix = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
      let problem: string | undefined;
      if (key.length === 0) problem = 'a tag key must not be empty';
      else if (key.length > MAX_TAG_KEY_LENGTH) problem = `a tag key must be at most ${MAX_TAG_KEY_LENGTH} characters`;
      else if (prefix)
        problem = `a tag key must not start with "${prefix}" (reserved ${prefix === 'aws:' ? 'by AWS' : "for the provisioner's own tags"})`;
      else if (key === TAG_CONFLUENT || key === TAG_NAME) problem = `the tag "${key}" is set by the provisioner`;
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });

const subnetIdsSchema = z
  .array(z.string().regex(SUBNET_ID_PATTERN, { error: 'must be a subnet id such as subnet-0123456789abcdef0' }))
  .length(REQUIRED_SUBNETS, {
    error: `must list exactly ${REQUIRED_SUBNETS} subnets, one in each of ${REQUIRED_SUBNETS} availability zones`,
  })
  .superRefine((ids, ctx) => {
    ids.forEach((id, j) => {
      const first = ids.indexOf(id);
      if (first !== j)
        ctx.addIssue({ code: 'custom', path: [j], message: `${id} is listed twice (also subnetIds[${first}])` });
    });
  });

const egressRoutesSchema = z
  .array(cidrString)
  .max(MAX_EGRESS_ROUTES, { error: `at most ${MAX_EGRESS_ROUTES} egress routes (Confluent's limit per access point)` })
  .superRefine((routes, ctx) => {
    routes.forEach((route, j) => {
      if (!isValidCidr(route)) return;
      const first = routes.indexOf(route);
      if (first !== j) {
        ctx.addIssue({ code: 'custom', path: [j], message: `${route} is listed twice (also egressRoutes[${first}])` });
        return;
      }
      const forbidden = FORBIDDEN_ROUTE_CIDRS.find((f) => cidrsOverlap(route, f));
      if (forbidden) {
        ctx.addIssue({
          code: 'custom',
          path: [j],
          message: `route ${route} overlaps the forbidden range ${forbidden} (Confluent does not accept routes in ${FORBIDDEN_ROUTE_CIDRS.join(', ')})`,
        });
      }
    });
  });

export const provisioningRequestSchema = z
  .strictObject({
    requestId: z
      .string()
      .regex(REQUEST_ID_PATTERN, {
        error: `must start with a letter or digit and hold only letters, digits, '-' and '_', at most ${MAX_REQUEST_ID_LENGTH} characters`,
      })
      .optional(),
    environmentId: z
      .string()
      .regex(ENVIRONMENT_ID_PATTERN, { error: 'must be a Confluent environment id such as env-abc123' }),
    region: z.string().regex(REGION_PATTERN, { error: 'must be an AWS region such as us-west-2' }),
    vpcId: z.string().regex(VPC_ID_PATTERN, { error: 'must be a VPC id such as vpc-0123456789abcdef0' }),
    subnetIds: subnetIdsSchema,
    enisPerSubnet: z
      .int()
      .min(MIN_ENIS_PER_SUBNET, {
        error: `must be at least ${MIN_ENIS_PER_SUBNET}: ${REQUIRED_SUBNETS} subnets x enisPerSubnet must give at least ${MIN_TOTAL_ENIS} ENIs`,
      })
      .max(MAX_ENIS_PER_SUBNET, { error: `must be at most ${MAX_ENIS_PER_SUBNET}` })
      .default(DEFAULT_ENIS_PER_SUBNET),
    ipAssignment: ipAssignmentSchema.default((): IpAssignment => ({ mode: 'auto' })),
    securityGroup: securityGroupSchema.default((): SecurityGroupRequest => ({ egressRules: [] })),
    egressRoutes: egressRoutesSchema.default(() => []),
    gateway: gatewaySchema.default((): GatewayRequest => ({})),
    accessPointName: displayName('an access point name').optional(),
    tags: tagsSchema.default(() => ({})),
  })
  .superRefine((req, ctx) => {
    // Egress needs both halves: the route (Confluent side) and the SG rule (AWS side).
    const sg = req.securityGroup as { egressRules?: unknown } | undefined;
    if (!sg || !Array.isArray(sg.egressRules) || !Array.isArray(req.egressRoutes)) return;
    const routes = req.egressRoutes.filter((r) => isValidCidr(r));
    sg.egressRules.forEach((rule: { cidr?: unknown }, i: number) => {
      if (typeof rule?.cidr !== 'string' || !isValidCidr(rule.cidr)) return;
      const cidr = rule.cidr;
      if (!routes.some((r) => cidrContains(r, cidr))) {
        ctx.addIssue({
          code: 'custom',
          path: ['securityGroup', 'egressRules', i, 'cidr'],
          message: `${cidr} is not inside any egress route: add a route in egressRoutes that contains it, or connectors cannot reach it`,
        });
      }
    });
  });

/** The request as users write it (optional fields may be left out). */
export type ProvisioningRequestInput = z.input<typeof provisioningRequestSchema>;
/** The request after defaults (requestId may still be absent: parseRequest fills it). */
export type ProvisioningRequestParsed = z.output<typeof provisioningRequestSchema>;
