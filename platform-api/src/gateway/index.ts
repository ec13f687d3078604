/** The `/db` gateway: registerGateway() adds it to the platform API; the rest is for tests, benchmarks and wiring. */
export { registerGateway, type Gateway, type GatewayDependencies } from './plugin.ts';
export { DEFAULT_GATEWAY_OPTIONS, gatewayOptions, type GatewayOptions } from './options.ts';
export { GatewayError, GatewayErrors, renderGatewayError, type RenderedGatewayError } from './errors.ts';
export { ProjectKeyDirectory, readProjectKeyRecord, type ProjectAccess, type ProjectKeyRecord, type ProjectStatus } from './project-key-directory.ts';
export { CachedDataApiLocator, type CachedDataApiLocatorOptions } from './cached-data-api-locator.ts';
