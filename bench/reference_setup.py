"""The PyTorch reference script's own set-up, shared by bench/torch_draws.py and
bench/torch_from_draws.py: everything in the script before its model is made (thread count,
seeds, corpus, vocabulary, hyperparameters, the Lab class), run as the script would run it."""
import sys

MARKER = "m = Lab()"


def reference_namespace(script, abc, iters, batch, units):
    """The script's globals after its set-up, for ITERS iterations of batch BATCH, one thread."""
    source = open(script).read()
    if MARKER not in source:
        sys.exit(f"{script}: no '{MARKER}' line; this is not the lab's reference script")
    sys.argv = [script, abc, str(iters), str(batch), "1", str(units)]
    namespace = {"__name__": "reference"}
    exec(compile(source.split(MARKER)[0], script, "exec"), namespace)
    return namespace
