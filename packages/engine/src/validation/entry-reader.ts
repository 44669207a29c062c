import {
  type Attribute,
  type CheckContext,
  parseAttribute,
  parseSubject,
  parseTuple,
  type Subject,
  type Tuple,
} from '@gatehouse/core';
import type { Node, YAMLMap } from 'yaml';

import type { SourcePosition } from '../schema/errors.js';
import { describeNode, entries, entry, isMap, isNull, isScalar, isSeq, type YamlSource } from './yaml-source.js';

/** Permify's CLI default depth; an explicit depth below 3 is an error for that assertion. */
export const DEFAULT_DEPTH = 100;
const MIN_DEPTH = 3;

/** A malformed entry of a validation file, at its position: an error of the file (exit status 2). */
export class Malformed extends Error {
  public constructor(
    message: string,
    public readonly position: SourcePosition,
  ) {
    super(message);
  }
}

/** The depth and context of one check or filter; `depth` is the error text when the file's depth is below 3. */
export interface Query {
  readonly depth: number | string;
  readonly context: CheckContext | undefined;
}

/** Reads the entries of a validation file (strings, tuples, subjects, depth, context), throwing {@link Malformed}. */
export class EntryReader {
  public constructor(private readonly src: YamlSource) {}

  public stringOf(node: Node | null, what: string, fallback: SourcePosition): string {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
      throw new Malformed(`expected ${what}, found ${describeNode(node)}`, this.src.position(node, fallback));
    }
    return String(node.value);
  }

  public tuple(line: string, pos: SourcePosition): Tuple {
    try {
      return parseTuple(line);
    } catch (error) {
      throw new Malformed(error instanceof Error ? error.message : String(error), pos);
    }
  }

  public attribute(line: string, pos: SourcePosition): Attribute {
    try {
      return parseAttribute(line);
    } catch (error) {
      throw new Malformed(error instanceof Error ? error.message : String(error), pos);
    }
  }

  public subject(node: Node | null, fallback: SourcePosition): { subject: Subject; text: string } {
    const text = this.stringOf(node, 'a subject "type:id" or "type:id#relation"', fallback);
    const pos = this.src.position(node, fallback);
    if (!text.includes(':')) throw new Malformed(`expected a subject "type:id" or "type:id#relation", found ${JSON.stringify(text)}`, pos);
    try {
      return { subject: parseSubject(text), text };
    } catch (error) {
      throw new Malformed(error instanceof Error ? error.message : String(error), pos);
    }
  }

  public entity(node: Node | null, fallback: SourcePosition): { type: string; id: string; text: string } {
    const text = this.stringOf(node, 'an entity "type:id"', fallback);
    const parts = text.split(':');
    if (parts.length !== 2 || !parts[0] || !parts[1] || !/^[a-zA-Z_]{1,64}$/.test(parts[0])) {
      throw new Malformed(`expected an entity "type:id", found ${JSON.stringify(text)}`, this.src.position(node, fallback));
    }
    return { type: parts[0], id: parts[1], text };
  }

  public query(map: YAMLMap): Query {
    const depthEntry = entry(map, 'depth');
    let depth: number | string = DEFAULT_DEPTH;
    if (depthEntry !== undefined && !isNull(depthEntry.value)) {
      const v = isScalar(depthEntry.value) ? depthEntry.value.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new Malformed(`expected depth to be an integer, found ${describeNode(depthEntry.value)}`, this.src.position(depthEntry.value));
      }
      if (v !== 0) depth = v < MIN_DEPTH ? `error: depth must be at least ${MIN_DEPTH}, got ${v}` : v;
    }
    return { depth, context: this.context(entry(map, 'context')?.value ?? null) };
  }

  public context(node: Node | null): CheckContext | undefined {
    if (isNull(node)) return undefined;
    if (!isMap(node)) {
      throw new Malformed(`expected context to be a map of tuples, attributes and data, found ${describeNode(node)}`, this.src.position(node));
    }
    const tuples: Tuple[] = [];
    const attributes: Attribute[] = [];
    let data: Record<string, unknown> | undefined;
    for (const e of entries(node)) {
      if (isNull(e.value)) continue;
      if (e.key === 'tuples' || e.key === 'attributes') {
        if (!isSeq(e.value)) throw new Malformed(`expected context.${e.key} to be a list, found ${describeNode(e.value)}`, this.src.position(e.value));
        for (const item of e.value.items as Node[]) {
          const pos = this.src.position(item);
          if (e.key === 'tuples') tuples.push(this.tuple(this.stringOf(item, 'a contextual tuple string', pos), pos));
          else attributes.push(this.attribute(this.stringOf(item, 'a contextual attribute string', pos), pos));
        }
      } else if (e.key === 'data') {
        if (!isMap(e.value)) throw new Malformed(`expected context.data to be a map, found ${describeNode(e.value)}`, this.src.position(e.value));
        data = e.value.toJSON() as Record<string, unknown>;
      }
    }
    return { tuples, attributes, ...(data === undefined ? {} : { data }) };
  }
}
