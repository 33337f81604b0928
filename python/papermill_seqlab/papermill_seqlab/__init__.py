"""papermill parameters for the seqlab kernel (language "typescript").

papermill writes `-p name value` into a new cell tagged "injected-parameters" after the cell
tagged "parameters", in the notebook's language. For seqlab that is one TypeScript assignment
per parameter, `name = value;` with the value as JSON, exactly as `seqlab run --param` writes
it: the parameters cell declares each name with `let`, so the new cell reassigns it.
"""
import json
import math
import re

from papermill.models import Parameter
from papermill.translators import Translator, papermill_translators

IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
# `let name: type = value; // help` in a parameters cell.
DECLARATION = re.compile(r"^\s*(?:let|var|const)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*(.+?);?\s*(?://\s*(.*))?$")


class TypeScriptTranslator(Translator):
    @classmethod
    def translate_escaped_str(cls, str_val):
        return json.dumps(str(str_val))

    @classmethod
    def translate_none(cls, val):
        return "null"

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "NaN"
        if math.isinf(val):
            return "Infinity" if val > 0 else "-Infinity"
        return repr(val)

    @classmethod
    def translate_dict(cls, val):
        return json.dumps(val)

    @classmethod
    def translate_list(cls, val):
        return json.dumps(val)

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        if not IDENTIFIER.match(name):
            raise ValueError(
                f"papermill parameter {name!r} is not a TypeScript identifier; "
                "use a name the notebook's parameters cell declares with let"
            )
        return f"{name} = {str_val};"

    @classmethod
    def inspect(cls, parameters_cell):
        """The `let` declarations of the parameters cell (for papermill --help-notebook)."""
        found = []
        for line in parameters_cell.source.splitlines():
            m = DECLARATION.match(line)
            if m:
                name, type_name, default, help_text = m.groups()
                found.append(Parameter(name=name, inferred_type_name=(type_name or "None").strip(), default=default.strip(), help=help_text or ""))
        return found


papermill_translators.register("typescript", TypeScriptTranslator)
papermill_translators.register("seqlab", TypeScriptTranslator)
