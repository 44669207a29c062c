/** Absolute path of the console's built static files (`index.html` and `assets/`), with a trailing separator. */
export declare const consoleRoot: string;
/** The path the PDP server serves the console under (`/ui`). */
export declare const CONSOLE_BASE: '/ui';
