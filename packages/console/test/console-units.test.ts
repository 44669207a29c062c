/**
 * The console's pure parts: the change-feed parser, the explanation layout and its deciding path, and the schema
 * language's highlighting tokens.
 */
import { describe, expect, it } from '@jest/globals';
import { StringStream } from '@codemirror/language';
import type { ExplanationNode } from '@gatehouse/core';
import { SseParser } from '../src/feed.js';
import { attributeText } from '../src/views/DataView.js';
import { decidingPath, layoutExplanation, MAX_CHILDREN } from '../src/graph-layout.js';
import { schemaParser } from '../src/schema-language.js';

function node(label: string, state: ExplanationNode['state'], children: ExplanationNode[] = [], extra: Partial<ExplanationNode> = {}): ExplanationNode {
  return { kind: 'relation', label, entity: 'document:1', state, children, ...extra };
}

describe('change-feed parser', () => {
  it('yields each event whatever the chunk boundaries, skips comments and keeps the last id', () => {
    const events: [string, string, string | undefined][] = [];
    const p = new SseParser((type, data, id) => events.push([type, data, id]));
    const stream = 'retry: 1000\nid: 4\n\n: connected\n\nid: 5\r\nevent: change\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: ping\n\nid: 6\nevent: change\ndata: {"b":2}\n\n';
    for (let i = 0; i < stream.length; i += 3) p.push(stream.slice(i, i + 3));
    expect(events).toEqual([
      ['change', '{"a":\n1}', '5'],
      ['change', '{"b":2}', '6'],
    ]);
    expect(p.lastEventId()).toBe('6');
  });

  it('dispatches nothing for an event cut off before its blank line', () => {
    const events: string[] = [];
    const p = new SseParser((_t, data) => events.push(data));
    p.push('event: change\ndata: {"x":1}\n');
    expect(events).toEqual([]);
    p.push('\n');
    expect(events).toEqual(['{"x":1}']);
  });
});

describe('explanation layout', () => {
  const allowed = node('document:1#view', 'allowed', [
    node('or', 'allowed', [node('document:1#owner', 'denied'), node('document:1#viewer', 'allowed', [], { tuples: ['document:1#viewer@user:alice'] })], { kind: 'union' }),
  ], { kind: 'permission' });

  it('places every node once, children below their parent, siblings apart', () => {
    const layout = layoutExplanation(allowed);
    expect(layout.nodes).toHaveLength(4);
    expect(layout.edges).toHaveLength(3);
    for (const e of layout.edges) expect(e.to.y).toBeGreaterThan(e.from.y);
    const [owner, viewer] = layout.nodes.slice(2);
    expect(owner && viewer && owner.x + owner.width).toBeLessThanOrEqual(viewer?.x ?? 0);
    for (const n of layout.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width + 0.001);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height + 0.001);
    }
  });

  it('follows the allowed operand of an or, and every operand of a denied or', () => {
    expect(decidingPath(layoutExplanation(allowed))).toBe('deciding path: document:1#view → or → document:1#viewer [document:1#viewer@user:alice]');
    const denied = node('document:1#view', 'denied', [node('or', 'denied', [node('document:1#owner', 'denied'), node('document:1#viewer', 'denied')], { kind: 'union' })], { kind: 'permission' });
    expect(decidingPath(layoutExplanation(denied))).toBe('decided by: document:1#owner; document:1#viewer');
  });

  it('follows the operand that decided a not, and the denied operand of an and', () => {
    const excluded = node('not', 'denied', [node('document:1#viewer', 'allowed'), node('document:1#banned', 'allowed')], { kind: 'exclusion' });
    expect(decidingPath(layoutExplanation(excluded))).toBe('deciding path: not → document:1#banned');
    const and = node('and', 'denied', [node('document:1#a', 'allowed'), node('document:1#b', 'denied'), node('document:1#c', 'not_evaluated')], { kind: 'intersection' });
    expect(decidingPath(layoutExplanation(and))).toBe('deciding path: and → document:1#b');
  });

  it('draws at most MAX_CHILDREN children and one node counting the rest, including those the server left out', () => {
    const many = Array.from({ length: MAX_CHILDREN + 10 }, (_, i) => node(`team:t${String(i)}#member`, 'denied'));
    const layout = layoutExplanation(node('document:1#viewer', 'denied', many, { omitted: 5 }));
    expect(layout.nodes).toHaveLength(1 + MAX_CHILDREN + 1);
    expect(layout.nodes.at(-1)?.label).toBe('… 15 more');
  });
});

describe('schema language highlighting', () => {
  function tokens(line: string): [string, string | null][] {
    const state = schemaParser.startState?.(2) ?? { inBlockComment: false, declares: false };
    const stream = new StringStream(line, 2, 2);
    const out: [string, string | null][] = [];
    while (!stream.eol()) {
      const style = schemaParser.token(stream, state);
      const text = stream.current();
      if (text.trim() !== '') out.push([text, style]);
      stream.start = stream.pos;
    }
    return out;
  }

  it('tells keywords, declared names, references, operators and comments apart', () => {
    expect(tokens('entity document { // docs')).toEqual([
      ['entity', 'keyword'],
      ['document', 'variableName.definition'],
      ['{', 'operator'],
      ['// docs', 'comment'],
    ]);
    expect(tokens('relation viewer @user @team#member')).toEqual([
      ['relation', 'keyword'],
      ['viewer', 'variableName'],
      ['@user', 'typeName'],
      ['@team', 'typeName'],
      ['#member', 'propertyName'],
    ]);
    expect(tokens('permission view = owner or not banned and parent.admin')).toEqual([
      ['permission', 'keyword'],
      ['view', 'variableName'],
      ['=', 'operator'],
      ['owner', 'variableName'],
      ['or', 'operatorKeyword'],
      ['not', 'operatorKeyword'],
      ['banned', 'variableName'],
      ['and', 'operatorKeyword'],
      ['parent', 'variableName'],
      ['.', 'operator'],
      ['admin', 'variableName'],
    ]);
    expect(tokens('attribute tags string[]')).toEqual([
      ['attribute', 'keyword'],
      ['tags', 'variableName'],
      ['string[]', 'typeName'],
    ]);
    expect(tokens('rule ok(n integer) { n > 2 && "x" != \'y\' }').map(([, s]) => s)).toEqual([
      'keyword', 'variableName.definition', 'operator', 'variableName', 'typeName', 'operator', 'operator', 'variableName', 'operator', 'number', 'operator', 'string', 'operator', 'string', 'operator',
    ]);
  });
});

describe('attribute display', () => {
  it('shows the value and its type from Permify\'s Any form', () => {
    const entity = { type: 'document', id: '1' };
    expect(attributeText({ entity, attribute: 'public', value: { '@type': 'type.googleapis.com/base.v1.BooleanValue', data: true } })).toBe('document:1$public = true (boolean)');
    expect(attributeText({ entity, attribute: 'tags', value: { '@type': 'type.googleapis.com/base.v1.StringArrayValue', data: ['a', 'b'] } })).toBe('document:1$tags = ["a","b"] (string[])');
    expect(attributeText({ entity, attribute: 'n', value: 3 })).toBe('document:1$n = 3');
  });
});
