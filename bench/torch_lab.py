"""PyTorch CPU side of `seqlab bench torch`: the lab model (Embedding -> LSTM -> Dense,
Adam 5e-3, softmax cross-entropy) timed as `seqlab bench lstm` times seqlab's:

- a training step on random tokens made before the clock starts, from the forward pass to
  the end of the optimizer's update (the loss read back), median of the steps after the
  warm-up steps;
- sampling as users run it: batch 1, stateful, one character at a time, after 5 warm-up
  characters, mean ms per character;
- peak resident memory of the process; the BLAS library actually loaded (Debian's torch
  uses whatever libblas.so.3 points to: the reference BLAS is 2.7x slower than OpenBLAS).

Not a dependency of seqlab; run with Debian's python3-torch:
    /usr/bin/python3 bench/torch_lab.py --threads 1 [--steps 5] [--warmup 1] [--chars 200]
Prints one line of JSON."""
import argparse, json, resource, statistics, time
import torch

p = argparse.ArgumentParser()
for name, default in [("units", 1024), ("batch", 8), ("seq", 100), ("embedding", 256), ("vocab", 83),
                      ("steps", 5), ("warmup", 1), ("chars", 200), ("threads", 1)]:
    p.add_argument("--" + name, type=int, default=default)
o = p.parse_args()
torch.set_num_threads(o.threads)
torch.manual_seed(0)


class Lab(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(o.vocab, o.embedding)
        self.lstm = torch.nn.LSTM(o.embedding, o.units, batch_first=True)
        self.dense = torch.nn.Linear(o.units, o.vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.emb(x), state)
        return self.dense(out), state


model = Lab()
opt = torch.optim.Adam(model.parameters(), 5e-3, eps=1e-7)
times = []
for i in range(o.warmup + o.steps):
    ids = torch.randint(0, o.vocab, (o.batch, o.seq + 1))
    x, y = ids[:, :-1], ids[:, 1:]
    start = time.perf_counter()
    opt.zero_grad()
    logits, _ = model(x)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, o.vocab), y.reshape(-1))
    loss.backward()
    opt.step()
    loss.item()
    if i >= o.warmup:
        times.append((time.perf_counter() - start) * 1000)

state, token = None, torch.zeros((1, 1), dtype=torch.long)


def sample_one():
    global state, token
    logits, state = model(token, state)
    token = torch.multinomial(torch.softmax(logits[:, -1], -1), 1)


ms_per_char = None
if o.chars:
    with torch.no_grad():
        for _ in range(5):
            sample_one()
        start = time.perf_counter()
        for _ in range(o.chars):
            sample_one()
        ms_per_char = (time.perf_counter() - start) * 1000 / o.chars

with open("/proc/self/maps") as maps:
    blas = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
print(json.dumps({
    "torch": torch.__version__, "threads": o.threads, "blas": blas,
    "ms_per_step": statistics.median(times), "step_ms": times, "ms_per_char": ms_per_char,
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
