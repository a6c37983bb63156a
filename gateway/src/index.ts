/** The gateway's programmatic API. */
export { startGateway, type RunningGateway, type StartOptions } from "./gateway.js";
export type { BackendStatus } from "./http/server.js";
export { parseGatewayConfig, loadGatewayConfig, ConfigError, type GatewayConfig, type GatewayConfigInput } from "./config.js";
export { exposedName, shortenName } from "./catalog/naming.js";
