// The console's node entry: where its static build lives. @gatehouse/pdp-server reads it when started with --ui.
import { fileURLToPath } from 'node:url';

/** Absolute path of the console's built static files (index.html and assets/). */
export const consoleRoot = fileURLToPath(new URL('./dist/', import.meta.url));

/** The path the PDP server serves the console under. */
export const CONSOLE_BASE = '/ui';
