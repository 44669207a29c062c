/**
 * The API key lives in this tab's session storage only: never in a URL, a cookie or local storage, and gone when
 * the tab closes.
 */
const KEY = 'gatehouse.console.apiKey';

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string | undefined): void {
  try {
    if (key === undefined) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, key);
  } catch {
    // Storage refused (private mode): the key lasts as long as the page.
  }
}
