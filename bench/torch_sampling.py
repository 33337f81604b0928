"""PyTorch CPU reference for `seqlab bench lstm`'s sampling figure: the lab model
(Embedding 256 -> LSTM 1024 -> Dense 83), batch 1, stateful, one character at a time.
Not a dependency of seqlab; run with Debian's python3-torch:
    /usr/bin/python3 bench/torch_sampling.py CHARS THREADS [UNITS]
Prints ms per character."""
import sys, time
import torch

chars, threads = int(sys.argv[1]), int(sys.argv[2])
U = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
V, E = 83, 256
torch.set_num_threads(threads)
torch.manual_seed(0)
emb, lstm, dense = torch.nn.Embedding(V, E), torch.nn.LSTM(E, U, batch_first=True), torch.nn.Linear(U, V)
state = None
token = torch.zeros((1, 1), dtype=torch.long)

def step():
    global state, token
    out, state = lstm(emb(token), state)
    probs = torch.softmax(dense(out[:, -1]), -1)
    token = torch.multinomial(probs, 1)

with torch.no_grad():
    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(chars):
        step()
    ms = (time.perf_counter() - start) * 1000 / chars
print(f"torch sampling threads {threads}: {ms:.2f} ms/char")
