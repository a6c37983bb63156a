// Preload (`node --import ./bench/gateway/loopback.mjs ...`) that makes every TCP server of a process listen on
// 127.0.0.1, whatever host it asks for: server-everything, supergateway and mcp-hub listen on all interfaces.
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const first = args[0];
  if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    if (first.path === undefined && first.fd === undefined && first.handle === undefined && first._handle === undefined) {
      args[0] = { ...first, host: "127.0.0.1" };
    }
  } else if (first === undefined || typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (first === undefined) args[0] = 0;
    if (typeof args[1] === "string") args[1] = "127.0.0.1";
    else args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
