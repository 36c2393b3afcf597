/**
 * The bench's upstream process: the loopback fake alone, as a real upstream is never in the gateway's
 * process. Prints one JSON line with its base URL, then serves until killed.
 */
import { startFake } from "./fake-upstream.js";

const { baseUrl } = await startFake();
process.stdout.write(`${JSON.stringify({ baseUrl })}\n`);
