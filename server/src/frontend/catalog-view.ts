// The front-end's view of the event catalog: events with their rule parts, modes, bound variables and bound
// functions, already typed. Adapted from the project's catalog module (server/src/catalog) so the checker,
// completion and hover share one shape.
export type { BoundFnDef, BoundVarDef, CatalogView, EventDef } from './catalog-types.js';
export { catalogView } from './catalog-adapter.js';
