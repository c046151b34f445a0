// Structured logs (pino) to stdout; each request gets a child logger with its id and user.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'proofline' }, timestamp: pino.stdTimeFunctions.isoTime });
}
