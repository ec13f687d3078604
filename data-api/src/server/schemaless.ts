import type { FastifyServerOptions } from 'fastify';

class SchemasNotUsed extends Error {
  constructor() {
    super('the data API declares no Fastify route schemas');
  }
}

function refuse(): never {
  throw new SchemasNotUsed();
}

/**
 * The data API's routes declare no schemas: the pipeline parses and answers everything itself.
 * Given these compilers, Fastify never loads ajv or fast-json-stringify, and the bundle leaves
 * them out (see `npm run build`): less source held in every data API process.
 */
export const schemalessController: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: { buildValidator: refuse, buildSerializer: refuse },
};
