/** A source of the current time; injected in tests. */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();
