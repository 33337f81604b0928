/** Adds the sequence-model magics to the kernel's process-wide registry (imported once by the engine). */
import { registerMagic } from "../registry";
import { sequenceMagics } from "./index";

for (const magic of sequenceMagics) registerMagic(magic);
