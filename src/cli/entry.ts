/** The executable's process: its own streams into main(), the exit code out, and the process-wide failure rules. */
import { failure, main, EXIT } from './main.js';
import { processIo } from './io.js';

const io = processIo();
const exit = (code: number) => process.exit(code);

// `| head` closes stdout early: stop quietly instead of crashing on EPIPE
process.stdout.on('error', (e: NodeJS.ErrnoException) => exit(e.code === 'EPIPE' ? EXIT.ok : failure(e, io)));
process.on('uncaughtException', (e) => exit(failure(e, io)));
process.on('unhandledRejection', (e) => exit(failure(e, io)));

process.exitCode = await main(io);
