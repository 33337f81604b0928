"""Trains the PyTorch reference script's model from seqlab's random draws, for
`seqlab bench parity --seqlab-draws`: seqlab's initial weights and the window starts its run
drew, so PyTorch repeats seqlab's run with only the arithmetic different (the other way round
from bench/torch_draws.py).

usage: python3 bench/torch_from_draws.py REFERENCE_SCRIPT ABC_FILE ITERS BATCH UNITS DRAWS_DIR
DRAWS_DIR holds w0.bin .. w5.bin (float32, seqlab's lab model weights in getWeights() order:
embedding, LSTM kernel, recurrent kernel, bias, dense kernel, dense bias), encoded.bin (int32,
the corpus in seqlab's vocabulary) and starts.bin (int32, ITERS x BATCH). Prints the loss every
10 iterations as the reference script does ("iter N loss L ms/step M"), and before that each of
the first three iterations' loss to all its digits ("step N loss L"), to compare with seqlab's
first steps from the same weights."""
import os, sys, time
import numpy as np
from reference_setup import reference_namespace

script, abc, iters, batch, units, draws = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ns = reference_namespace(script, abc, iters, batch, units)
torch, V, E, T, LR = ns["torch"], ns["V"], ns["E"], ns["T"], ns["LR"]
U = units

def read(name, dtype, shape=None):
    a = np.fromfile(os.path.join(draws, name), dtype=dtype)
    if shape is not None and a.size != int(np.prod(shape)):
        sys.exit(f"{name} holds {a.size} values, the reference's model needs {int(np.prod(shape))} for {shape}: a different model size")
    return a if shape is None else a.reshape(shape)

m = ns["Lab"]()
with torch.no_grad():
    w = lambda i, shape: torch.from_numpy(read(f"w{i}.bin", np.float32, shape))
    m.emb.weight.copy_(w(0, (V, E)))
    m.lstm.weight_ih_l0.copy_(w(1, (E, 4 * U)).T)  # both frameworks order the gates i, f, g, o
    m.lstm.weight_hh_l0.copy_(w(2, (U, 4 * U)).T)
    m.lstm.bias_ih_l0.copy_(w(3, (4 * U,)))  # seqlab has one bias; PyTorch adds its two
    m.lstm.bias_hh_l0.zero_()
    m.dense.weight.copy_(w(4, (U, V)).T)
    m.dense.bias.copy_(w(5, (V,)))
vec = read("encoded.bin", np.int32).astype(np.int64)
if vec.size != ns["vec"].size:
    sys.exit(f"encoded.bin holds {vec.size} ids, the reference's corpus {ns['vec'].size}: not the same corpus")
starts = read("starts.bin", np.int32)
if starts.size < iters * batch:
    sys.exit(f"starts.bin holds {starts.size} window starts, {iters * batch} needed")
starts = starts[: iters * batch].reshape(iters, batch)

# The reference script's loop, with its batches replaced by seqlab's windows.
opt = torch.optim.Adam(m.parameters(), LR, eps=1e-7)
t0 = time.time(); window = []
for it in range(iters):
    idx = starts[it]
    x = torch.from_numpy(np.stack([vec[i:i+T] for i in idx])); y = torch.from_numpy(np.stack([vec[i+1:i+T+1] for i in idx]))
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(m(x).reshape(-1, V), y.reshape(-1))
    loss.backward(); opt.step()
    window.append(loss.item())
    if it < 3:
        print(f"step {it+1} loss {loss.item()!r}", flush=True)
    if (it + 1) % 10 == 0:
        print(f"iter {it+1} loss {np.mean(window):.4f} ms/step {(time.time()-t0)/(it+1)*1000:.0f}", flush=True)
        window = []
