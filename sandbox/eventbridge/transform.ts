/**
 * EventBridge input transformer: InputPathsMap (JSON paths into the event) + InputTemplate with <name>
 * placeholders.
 *
 * Substitution, as EventBridge does it:
 * - inside a JSON string ("...<name>..."): the value as text; a string without its quotes, JSON-escaped so
 *   the result stays valid JSON; numbers/booleans as text; objects/arrays as their (escaped) JSON;
 *   a path that matched nothing -> empty text;
 * - outside a string in a JSON template ({...} / [...]): the JSON value (a string WITH quotes);
 *   a path that matched nothing -> null;
 * - outside a string in a plain-text template: strings raw, other values as JSON, nothing -> empty text.
 * The reserved <aws.events.event> / <aws.events.event.json> are inserted unescaped (as AWS documents: only
 * usable as a JSON field value). <aws.events.rule-arn>, <aws.events.rule-name> and
 * <aws.events.event.ingestion-time> are supported.
 */
import { readPath } from '../jsonpath.js';

export interface InputTransformerSpec {
  inputPathsMap: Record<string, string>;
  inputTemplate: string;
}

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

const MISSING = Symbol('missing');
const RAW_JSON = new Set(['aws.events.event', 'aws.events.event.json']);

export function applyInputTransformer(
  spec: InputTransformerSpec,
  event: Record<string, unknown>,
  ctx: TransformContext,
): string {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(spec.inputPathsMap ?? {})) {
    const r = readPath(event, String(path));
    vars.set(name, r.found ? r.value : MISSING);
  }
  vars.set('aws.events.rule-arn', ctx.ruleArn);
  vars.set('aws.events.rule-name', ctx.ruleName);
  vars.set('aws.events.event.ingestion-time', ctx.ingestionTime);
  const { detail: _detail, ...withoutDetail } = event;
  vars.set('aws.events.event', withoutDetail);
  vars.set('aws.events.event.json', event);

  const template = spec.inputTemplate;
  const jsonTemplate = /^\s*[[{]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '<') {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      if (m && vars.has(m[1])) {
        const name = m[1];
        const v = vars.get(name);
        out += substitute(name, v, inString, jsonTemplate);
        i += m[0].length - 1;
        continue;
      }
    }
    if (inString && ch === '\\') {
      out += ch + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
  }
  return out;
}

function substitute(name: string, v: unknown, inString: boolean, jsonTemplate: boolean): string {
  if (RAW_JSON.has(name)) return JSON.stringify(v);
  if (v === MISSING) return inString || !jsonTemplate ? '' : 'null';
  if (inString) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return JSON.stringify(text).slice(1, -1);
  }
  if (!jsonTemplate && typeof v === 'string') return v;
  return JSON.stringify(v);
}
