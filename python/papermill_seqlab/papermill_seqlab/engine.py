"""papermill's default engine under the name "seqlab".

papermill loads every `papermill.engine` entry point when it starts; this one is there so
that loading it imports the package, which registers the TypeScript translator. It lives in
its own module so that importing the package first does not import papermill's engines
halfway through the package (a circular import).
"""
from papermill.engines import NBClientEngine

import papermill_seqlab  # noqa: F401  (registers the translator)


class SeqlabEngine(NBClientEngine):
    """Executes like papermill's default (nbclient) engine."""
