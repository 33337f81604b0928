/** The whole kernel: the protocol server with the TypeScript engine (kernel/engine). */
import { engineDialect } from "./helpers";
import { protocolSuite } from "./protocol-suite";

protocolSuite(engineDialect);
