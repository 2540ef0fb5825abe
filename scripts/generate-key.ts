// Prints a new master key for LATCHKEY_ENCRYPTION_KEY: base64 of 32 random bytes, with an id for rotation.
import { randomBytes } from 'node:crypto';

const id = process.argv[2] ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
console.log(`${id}:${randomBytes(32).toString('base64')}`);
