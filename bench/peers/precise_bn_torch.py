"""PyTorch peer for bench/: fvcore-style precise BN on the same checkpoint and tensor file as Repro.

Loads the Repro checkpoint (safetensors) into the torchvision-shaped reference ResNet, then times
fvcore's `update_bn_stats` recipe: BN momentum set to 1.0 so each forward leaves that batch's
statistics in running_mean/var, and an equal-weight running average over batches. Prints one JSON
object: {"seconds": [...], "forward_seconds": [...], "threads": n, "torch": version}.

Run: /usr/bin/python3 bench/peers/precise_bn_torch.py CHECKPOINT TENSORS --samples S --batch-size B --threads T --reps R
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures", "pytorch"))
import reference_resnet  # noqa: E402
import safetensors_lite  # noqa: E402


def load_model(path):
    tensors, meta = safetensors_lite.load(path)
    model = reference_resnet.from_config(json.loads(meta["repro.model"]))
    model.load_state_dict(tensors)
    return model


def batches(images, samples, batch_size):
    for start in range(0, samples, batch_size):
        yield images[start:min(start + batch_size, samples)]


@torch.no_grad()
def fvcore_update_bn_stats(model, images, samples, batch_size):
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.training]
    momentum = [bn.momentum for bn in bns]
    for bn in bns:
        bn.momentum = 1.0
    mean = [torch.zeros_like(bn.running_mean) for bn in bns]
    var = [torch.zeros_like(bn.running_var) for bn in bns]
    ind = -1
    for ind, x in enumerate(batches(images, samples, batch_size)):
        model(x)
        for i, bn in enumerate(bns):
            mean[i] += (bn.running_mean - mean[i]) / (ind + 1)
            var[i] += (bn.running_var - var[i]) / (ind + 1)
    for i, bn in enumerate(bns):
        bn.running_mean = mean[i]
        bn.running_var = var[i]
        bn.momentum = momentum[i]


@torch.no_grad()
def plain_forward(model, images, samples, batch_size):
    for x in batches(images, samples, batch_size):
        model(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("tensors")
    p.add_argument("--samples", type=int, default=8192)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = load_model(a.checkpoint)
    model.train()
    images = safetensors_lite.load(a.tensors)[0]["images"]
    seconds, forward = [], []
    for r in range(a.warmup + a.reps):
        t0 = time.perf_counter()
        fvcore_update_bn_stats(model, images, a.samples, a.batch_size)
        t1 = time.perf_counter()
        plain_forward(model, images, a.samples, a.batch_size)
        t2 = time.perf_counter()
        if r >= a.warmup:
            seconds.append(t1 - t0)
            forward.append(t2 - t1)
    print(json.dumps({"seconds": seconds, "forward_seconds": forward, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
