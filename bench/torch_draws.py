"""Writes the PyTorch reference script's random draws for `seqlab bench parity --same-draws`:
its initial weights (seed 0, as the script makes them) and the start of every window its
get_batch would draw, so seqlab can train from exactly the same numbers.

usage: python3 bench/torch_draws.py REFERENCE_SCRIPT ABC_FILE ITERS BATCH UNITS OUT_DIR
Writes OUT_DIR/w0.bin .. w5.bin (float32, in the order of seqlab's lab model weights: embedding,
LSTM kernel, recurrent kernel, bias, dense kernel, dense bias), encoded.bin (int32 ids of the
corpus) and starts.bin (int32, ITERS x BATCH)."""
import os, sys
import numpy as np
from reference_setup import reference_namespace

script, abc, iters, batch, units, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
# The script's own set-up, so the weights and the numpy stream are the ones its run uses.
namespace = reference_namespace(script, abc, iters, batch, units)
m = namespace["Lab"]()
np_random, vec, T = namespace["np"].random, namespace["vec"], namespace["T"]
weights = [m.emb.weight, m.lstm.weight_ih_l0.T, m.lstm.weight_hh_l0.T,
           m.lstm.bias_ih_l0 + m.lstm.bias_hh_l0, m.dense.weight.T, m.dense.bias]
os.makedirs(out, exist_ok=True)
for i, w in enumerate(weights):
    # Both frameworks order the LSTM's gates input, forget, cell, output.
    np.ascontiguousarray(w.detach().numpy(), dtype=np.float32).tofile(os.path.join(out, f"w{i}.bin"))
vec.astype(np.int32).tofile(os.path.join(out, "encoded.bin"))
# The script's get_batch draws each batch's starts with this one call, in this order.
starts = np.stack([np_random.choice(len(vec) - 1 - T, batch) for _ in range(iters)])
starts.astype(np.int32).tofile(os.path.join(out, "starts.bin"))
print(f"vocab {namespace['V']} chars {len(vec)} windows {starts.size}")
