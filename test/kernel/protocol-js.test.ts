/** The protocol server on its own, with the small JavaScript test engine behind it. */
import { jsDialect } from "./helpers";
import { protocolSuite } from "./protocol-suite";

protocolSuite(jsDialect);
