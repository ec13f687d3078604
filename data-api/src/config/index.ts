export {
  loadDataApiConfig,
  envName,
  listenAddress,
  pinoLevel,
  type DataApiConfig,
  type DataApiLogLevel,
  type FunctionName,
  type LoadDataApiConfigOptions,
  type OpenApiMode,
  type TxEnd,
} from './config.ts';
export { readConfigFile, parseConfigText, type ConfigFileValue } from './config-file.ts';
export { parseJsPath, walkJsPath, formatJsPath, JsPathError, type JsPath, type JsPathStep } from './js-path.ts';
export { configFileFromArguments } from './arguments.ts';
