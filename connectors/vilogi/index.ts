// Vilogi connector: a typed client of the extranet gateway contract (docs/vilogi-contract.md).
// The simulator of that contract (simulator.ts) is imported on its own, by development and tests.
export { createVilogiClient } from './client.js';
export type * from './types.js';
export { VILOGI_EVENT_MODEL } from './types.js';
