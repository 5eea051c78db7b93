"""PyTorch peer for bench/: training throughput of the default experiment's model.

The same recipe as Repro's trainer: the reference ResNet initialised from the same checkpoint,
SGD with momentum 0.9 (Nesterov), weight decay on conv/linear weights only, cross-entropy, a
seeded permutation, full batches only. Prints {"samples_per_second": [...], "threads": n}.

Run: /usr/bin/python3 bench/peers/train_torch.py CHECKPOINT TENSORS --samples S --batch-size B --threads T --reps R
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import precise_bn_torch  # noqa: E402
import safetensors_lite  # noqa: E402


def epoch(model, opt, images, labels, batch_size, generator):
    model.train()
    order = torch.randperm(images.shape[0], generator=generator)
    steps = images.shape[0] // batch_size
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    for s in range(steps):
        idx = order[s * batch_size:(s + 1) * batch_size]
        x, y = images.index_select(0, idx), labels.index_select(0, idx)
        loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return steps * batch_size / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("tensors")
    p.add_argument("--samples", type=int, default=8192)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = precise_bn_torch.load_model(a.checkpoint)
    tensors = safetensors_lite.load(a.tensors)[0]
    images, labels = tensors["images"][:a.samples].contiguous(), tensors["labels"][:a.samples].contiguous()
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=a.lr, momentum=0.9, nesterov=True)
    g = torch.Generator().manual_seed(0)
    epoch(model, opt, images, labels, a.batch_size, g)  # warm-up
    rates = [epoch(model, opt, images, labels, a.batch_size, g) for _ in range(a.reps)]
    print(json.dumps({"samples_per_second": rates, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
