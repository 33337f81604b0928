/** Registers the built-in magics in the process-wide registry (imported once by the engine). */
import { registerMagic } from "../registry";
import { envMagic } from "./env";
import { htmlMagic, writefileMagic } from "./files";
import { lsmagicMagic } from "./lsmagic";
import { resetMagic, whoMagic, whosMagic } from "./namespace";
import { backendMagic, memoryMagic } from "./tensorflow";
import { timeitMagic } from "./timeit";
import { timeMagic } from "./timing";

export const builtinMagics = [timeMagic, timeitMagic, whoMagic, whosMagic, resetMagic, envMagic, htmlMagic, writefileMagic, backendMagic, memoryMagic, lsmagicMagic];

for (const magic of builtinMagics) registerMagic(magic);
