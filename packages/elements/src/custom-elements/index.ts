/**
 * `<gatehouse-members>` and `<gatehouse-audit-log>`: the same views as custom elements, for pages without
 * React. The published bundle (`@gatehouse/elements/custom-elements`, one ES module) renders them with
 * Preact's React-compatible layer and defines both elements when loaded.
 *
 * Attributes: `base-url` (where the app mounted its admin routes), `page-size`, `credentials`
 * (`same-origin` by default, `include` for another origin). Properties: `strings` (texts to override),
 * `fetchInit` (extra fetch options such as headers). Method: `refresh()`. Events (bubbling, composed):
 * `gatehouse-invite` (`detail`: the invitation and its token) and `gatehouse-change` (`detail`: what changed).
 */
import { createElement } from 'react';
import type { ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import type { Root } from 'react-dom/client';

import type { ElementsStrings } from '../strings.js';
import { elementsCss } from '../styles.js';
import { AuditLog } from '../react/audit-log.js';
import { Members } from '../react/members.js';
import type { MemberChange } from '../react/members.js';
import type { InviteResult } from '../types.js';

const hostCss = `:host { display: block; } :host([hidden]) { display: none; }`;

function adoptStyles(shadow: ShadowRoot): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(hostCss + elementsCss);
    shadow.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = hostCss + elementsCss;
  shadow.append(style);
}

const credentialValues: readonly RequestCredentials[] = ['omit', 'same-origin', 'include'];

/** What both elements pass to their view. */
interface CommonProps {
  readonly refreshKey: number;
  readonly baseUrl: string;
  readonly fetchInit: RequestInit;
  readonly strings: Partial<ElementsStrings> | undefined;
  readonly pageSize: number | undefined;
}

/** The shared part of both elements: shadow root, attributes, properties, rendering. */
abstract class GatehouseElement extends HTMLElement {
  static readonly observedAttributes = ['base-url', 'page-size', 'credentials'];
  #root: Root | undefined;
  #strings: Partial<ElementsStrings> | undefined;
  #fetchInit: RequestInit | undefined;
  #generation = 0;

  constructor() {
    super();
    // A property set on the element before it was defined shadows the accessor: take it over.
    for (const key of ['strings', 'fetchInit'] as const) {
      if (Object.hasOwn(this, key)) {
        const value: unknown = (this as Record<string, unknown>)[key];
        Reflect.deleteProperty(this, key);
        (this as Record<string, unknown>)[key] = value;
      }
    }
  }

  /** Texts to override (see the package's `defaultStrings`). */
  get strings(): Partial<ElementsStrings> | undefined {
    return this.#strings;
  }
  set strings(value: Partial<ElementsStrings> | undefined) {
    this.#strings = value;
    this.#render();
  }

  /** Extra fetch options for every call (headers...); the `credentials` attribute applies unless this sets it. */
  get fetchInit(): RequestInit | undefined {
    return this.#fetchInit;
  }
  set fetchInit(value: RequestInit | undefined) {
    this.#fetchInit = value;
    this.#render();
  }

  connectedCallback(): void {
    let shadow = this.shadowRoot;
    if (shadow === null) {
      shadow = this.attachShadow({ mode: 'open' });
      adoptStyles(shadow);
      shadow.append(document.createElement('div'));
    }
    const container = shadow.lastElementChild;
    if (container !== null && this.#root === undefined) this.#root = createRoot(container);
    this.#render();
  }

  disconnectedCallback(): void {
    this.#root?.unmount();
    this.#root = undefined;
  }

  attributeChangedCallback(): void {
    this.#render();
  }

  /** Loads the view's data again from the server, keeping what it shows meanwhile. */
  refresh(): void {
    this.#generation += 1;
    this.#render();
  }

  /** Sends `name` with `detail` out of the shadow root. */
  protected emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  protected abstract view(props: CommonProps): ReactElement;

  #render(): void {
    if (this.#root === undefined) return;
    const credentials = this.getAttribute('credentials') as RequestCredentials | null;
    const size = Number(this.getAttribute('page-size'));
    const fetchInit: RequestInit = {
      ...(credentials !== null && credentialValues.includes(credentials) ? { credentials } : {}),
      ...this.#fetchInit,
    };
    this.#root.render(this.view({
      refreshKey: this.#generation,
      baseUrl: this.getAttribute('base-url') ?? '',
      fetchInit,
      strings: this.#strings,
      pageSize: Number.isInteger(size) && size > 0 ? size : undefined,
    }));
  }
}

/** `<gatehouse-members>`: see the `Members` React component. */
export class GatehouseMembersElement extends GatehouseElement {
  protected view(props: CommonProps): ReactElement {
    return createElement(Members, {
      ...props,
      onInvite: (result: InviteResult) => { this.emit('gatehouse-invite', result); },
      onChange: (change: MemberChange) => { this.emit('gatehouse-change', change); },
    });
  }
}

/** `<gatehouse-audit-log>`: see the `AuditLog` React component. */
export class GatehouseAuditLogElement extends GatehouseElement {
  protected view(props: CommonProps): ReactElement {
    return createElement(AuditLog, props);
  }
}

/** Defines both elements under their names (a name already defined is left alone). */
export function defineElements(registry: CustomElementRegistry = customElements): void {
  if (registry.get('gatehouse-members') === undefined) registry.define('gatehouse-members', GatehouseMembersElement);
  if (registry.get('gatehouse-audit-log') === undefined) registry.define('gatehouse-audit-log', GatehouseAuditLogElement);
}

if (typeof customElements !== 'undefined') defineElements();

declare global {
  interface HTMLElementTagNameMap {
    'gatehouse-members': GatehouseMembersElement;
    'gatehouse-audit-log': GatehouseAuditLogElement;
  }
}
