/**
 * The floor server as a process of its own (./floor-app.ts):
 *   PORT=N node .cache/bench/floor.cjs   (prints READY http://127.0.0.1:N)
 */
import { createFloor } from './floor-app';

const port = Number(process.env.PORT);
const { httpServer } = createFloor();
httpServer.listen(port, '127.0.0.1', () => process.stdout.write(`READY http://127.0.0.1:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
