export { RemotePdp } from './remote-pdp.js';
export type { RemotePdpOptions } from './remote-pdp.js';
