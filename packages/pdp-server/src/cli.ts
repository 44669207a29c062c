// The `gatehouse` executable (bin/gatehouse.js imports this module). It runs in the process the user (or npm)
// started: it spawns no child node, so a signal sent to it reaches the server, which closes and exits.
import { main } from './main.js';
import { stopWhenLauncherExits } from './launcher-watch.js';

stopWhenLauncherExits(process);
process.exitCode = await main(process.argv.slice(2));
