import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { CacheSlot } from '../deps.ts';

// The SDK builds an ajv instance per Server unless given one; one per app is enough (it validates
// only elicitation schemas, which latchkey never sends) and saves most of a request's CPU. Both eras'
// servers share it.
export const VALIDATOR = new CacheSlot('MCP JSON Schema validator', () => new AjvJsonSchemaValidator());
