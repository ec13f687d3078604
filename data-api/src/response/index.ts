export { buildResponse, contentRange, contentTypeValue, internalError, renderError, type HttpResponse, type ResponseContext } from './response.ts';
export { parseResponseHeadersGuc, parseResponseStatusGuc } from './guc.ts';
