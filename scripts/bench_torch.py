"""PyTorch reference for scripts/bench.ts: same models, same batch sizes, THREADS intra-op threads.
Usage: /usr/bin/python3 scripts/bench_torch.py SECONDS THREADS MODEL... ; prints JSON results."""
import json
import sys
import time

import torch
import torch.nn as nn

torch.manual_seed(1)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def small_vgg():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


MODELS = {"lenet5": lenet5, "small-vgg": small_vgg}


def per_second(body, budget):
    """Calls per second over the whole budget, and from the fastest single call."""
    body()
    start = time.perf_counter()
    calls = 0
    fastest = float("inf")
    t = start
    while t - start < budget:
        body()
        now = time.perf_counter()
        fastest = min(fastest, now - t)
        t = now
        calls += 1
    return calls / (time.perf_counter() - start), 1 / fastest


def bench(name, budget):
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(64, 1, 28, 28)
    t = torch.randint(0, 10, (64,))

    def train_step():
        opt.zero_grad()
        loss_fn(model(x), t).backward()
        opt.step()

    train, best_train = per_second(train_step, budget)
    model.eval()
    xi = torch.rand(256, 1, 28, 28)
    with torch.no_grad():
        infer, best_infer = per_second(lambda: model(xi), budget)
    return {"model": name, "backend": f"pytorch-{torch.__version__}-{torch.get_num_threads()}t",
            "trainImagesPerSecond": train * 64, "inferImagesPerSecond": infer * 256,
            "bestTrainImagesPerSecond": best_train * 64, "bestInferImagesPerSecond": best_infer * 256}


if __name__ == "__main__":
    seconds = float(sys.argv[1])
    torch.set_num_threads(int(sys.argv[2]))
    print(json.dumps([bench(name, seconds) for name in sys.argv[3:]]))
