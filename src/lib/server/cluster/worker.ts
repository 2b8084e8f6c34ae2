import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process's name in the shared state: stored on every reply it generates and used as
 * its lease key in Redis. Unique per start, so a restarted process never inherits a lease.
 */
export const workerId = `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
