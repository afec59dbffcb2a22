/**
 * (day 2) PlanRequest, behind `pni plan`: the same parsing and the same up-front assessment as ValidateRequest
 * (`assessRequest`), then what provisioning would build. Read-only: nothing is created, no record, no lock.
 */
import { ENI_PERMISSION } from '../constants.js';
import { ConnectionExists, RequestInvalid } from '../errors.js';
import { ruleKey, desiredRules } from '../connection.js';
import { gatewayAccount } from '../confluent/index.js';
import { planEnis } from '../eniPlan.js';
import { normalizeInput, parseRequest } from '../request/parse.js';
import { assessRequest } from '../request/assess.js';
import type { Deps } from '../deps.js';
import type { CanonicalRequest } from '../types.js';
import { names } from '../naming.js';

export interface PlanInput {
  input: unknown;
  execution: { arn: string; name: string };
}

export interface PlannedConnection {
  ok: true;
  requestId: string;
  request: CanonicalRequest;
  warnings: string[];
  customerAccount: string;
  gateway:
    | { action: 'create'; displayName: string; region: string; zones: string[] }
    | { action: 'reuse'; id: string; phase: string; confluentAccount?: string };
  securityGroup: { action: 'create'; name: string; vpcId: string; rules: string[] } | { action: 'use'; id: string };
  enis: { slot: number; subnetId: string; zoneId: string; privateIp?: string; name: string }[];
  permissions: { count: number; permission: string; account: string };
  accessPoint: { displayName: string; account: string; egressRoutes: string[]; networkInterfaces: number };
}
export interface PlanViolation {
  ok: false;
  requestId?: string;
  error: string;
  field: string;
  message: string;
  existingRequestId?: string;
}

export async function planRequest(ev: PlanInput, deps: Deps): Promise<PlannedConnection | PlanViolation> {
  const norm = normalizeInput(ev.input, ev.execution.name);
  try {
    const parsed = parseRequest(norm.request, norm.requestIdHint);
    const a = await assessRequest(deps, parsed);
    const req = a.request;
    const slots = planEnis(req, a.subnets, 1);
    const gw = req.gateway;
    let gateway: PlannedConnection['gateway'];
    if ('existingId' in gw) {
      const found = await deps.confluent.getGateway(req.environmentId, gw.existingId);
      gateway = {
        action: 'reuse',
        id: gw.existingId,
        phase: a.facts.existingGateway?.phase ?? 'UNKNOWN',
        confluentAccount: found ? gatewayAccount(found) : undefined,
      };
    } else {
      gateway = {
        action: 'create',
        displayName: names.gateway(req),
        region: req.region,
        zones: a.subnets.map((s) => s.zoneId),
      };
    }
    const sg = req.securityGroup;
    const securityGroup: PlannedConnection['securityGroup'] =
      'existingId' in sg
        ? { action: 'use', id: sg.existingId }
        : {
            action: 'create',
            name: names.securityGroup(req.requestId),
            vpcId: req.vpcId,
            rules: desiredRules(req).map(ruleKey),
          };
    return {
      ok: true,
      requestId: req.requestId,
      request: req,
      warnings: a.warnings,
      customerAccount: a.customerAccount,
      gateway,
      securityGroup,
      enis: slots.map((s) => ({
        slot: s.slot,
        subnetId: s.subnetId,
        zoneId: s.zoneId,
        ...(s.privateIp ? { privateIp: s.privateIp } : {}),
        name: s.name,
      })),
      permissions: {
        count: slots.length,
        permission: ENI_PERMISSION,
        account:
          gateway.action === 'reuse' && gateway.confluentAccount
            ? gateway.confluentAccount
            : "the gateway's Confluent AWS account (known once it is READY)",
      },
      accessPoint: {
        displayName: names.accessPoint(req),
        account: a.customerAccount,
        egressRoutes: req.egressRoutes,
        networkInterfaces: slots.length,
      },
    };
  } catch (err) {
    if (err instanceof RequestInvalid)
      return { ok: false, error: err.name, field: err.field, message: err.rule, requestId: requestIdOf(norm.request) };
    if (err instanceof ConnectionExists)
      return {
        ok: false,
        error: err.name,
        field: 'vpcId',
        message: err.message,
        existingRequestId: err.existingRequestId,
        requestId: requestIdOf(norm.request),
      };
    throw err;
  }
}

function requestIdOf(raw: unknown): string | undefined {
  const id = (raw as { requestId?: unknown } | null)?.requestId;
  return typeof id === 'string' ? id : undefined;
}
