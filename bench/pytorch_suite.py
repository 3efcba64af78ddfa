#!/usr/bin/python3
"""PyTorch twins of dnnc's benchmark suite (bench/networks/*.dnn), timed exactly as the examples'
peers are: this script imports ../shared/bench/pytorch_fmnist.py and uses its data loading and its
`run` (Adam 1e-3, the same epoch loop and clock readings), so it prints the same JSON fields.

  vgg       three stages of two 3x3 conv+BN+ReLU layers and a 2x2 max-pool (16, 32, 64 channels),
            flatten -> dense(128) -> ReLU -> dropout(0.5) -> dense(10)        (bench/networks/Vgg.dnn)
  strided   3x3 stride-2 and 1x1 conv+BN+ReLU layers (32, 64, 64, 128, 128, 256 channels),
            global average pooling -> dense(10)                             (bench/networks/Strided.dnn)
  wide_mlp  784 -> 4096 -> ReLU -> 4096 -> ReLU -> 10                      (bench/networks/WideMlp.dnn)

Usage: bench/pytorch_suite.py [--models vgg,strided,wide_mlp] [--epochs 1] [--threads 2] [--limit N]
                              [--batch 64] [--device cpu|cuda] [--synthetic N] [--data DIR]
                              [--peer DIR]   (the folder of pytorch_fmnist.py; default ../shared/bench)
The dnnc side: ./dnnc bench --model vgg (strided, wide_mlp), same data, epochs and threads.
"""
import argparse, os, sys

import torch, torch.nn as nn, torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def conv_bn_relu(cin, c, k, stride=1, bias=True):
    return nn.Sequential(nn.Conv2d(cin, c, k, stride, (k - 1) // 2, bias=bias), nn.BatchNorm2d(c), nn.ReLU())


class VGG(nn.Module):
    def __init__(s):
        super().__init__()
        stages = []
        for cin, c in ((1, 16), (16, 32), (32, 64)):
            stages += [conv_bn_relu(cin, c, 3), conv_bn_relu(c, c, 3), nn.MaxPool2d(2)]
        s.features = nn.Sequential(*stages)
        s.f1 = nn.Linear(64 * 3 * 3, 128); s.d = nn.Dropout(0.5); s.f2 = nn.Linear(128, 10)

    def forward(s, x):
        return s.f2(s.d(F.relu(s.f1(s.features(x).flatten(1)))))


class STRIDED(nn.Module):
    def __init__(s):
        super().__init__()
        s.features = nn.Sequential(
            conv_bn_relu(1, 32, 3, 2, bias=False), conv_bn_relu(32, 64, 1, bias=False),
            conv_bn_relu(64, 64, 3, 2, bias=False), conv_bn_relu(64, 128, 1, bias=False),
            conv_bn_relu(128, 128, 3, 2, bias=False), conv_bn_relu(128, 256, 1, bias=False))
        s.fc = nn.Linear(256, 10)

    def forward(s, x):
        return s.fc(s.features(x).mean((2, 3)))


class WIDE_MLP(nn.Module):
    def __init__(s):
        super().__init__(); s.a = nn.Linear(784, 4096); s.b = nn.Linear(4096, 4096); s.c = nn.Linear(4096, 10)

    def forward(s, x):
        return s.c(F.relu(s.b(F.relu(s.a(x.flatten(1))))))


MODELS = {"vgg": VGG, "strided": STRIDED, "wide_mlp": WIDE_MLP}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2); ap.add_argument("--limit", type=int, default=60000)
    ap.add_argument("--models", default="vgg,strided,wide_mlp"); ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--device", default="cpu"); ap.add_argument("--synthetic", type=int, default=0)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist/")
    ap.add_argument("--peer", default=os.path.join(HERE, "..", "..", "shared", "bench")); a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.peer))
    import pytorch_fmnist as peer
    torch.set_num_threads(a.threads); peer.DEV = a.device; peer.D = a.data.rstrip("/") + "/"
    mean, std = 0.2860, 0.3530
    if a.synthetic:
        g = torch.Generator().manual_seed(0)
        xtr = torch.randn(a.synthetic, 1, 28, 28, generator=g); ytr = torch.randint(0, 10, (a.synthetic,), generator=g)
        xte, yte = xtr[:10000].clone(), ytr[:10000].clone()
    else:
        xtr = torch.tensor((peer.idx("train-images-idx3-ubyte.gz")[:a.limit] / 255.0 - mean) / std, dtype=torch.float32)
        ytr = torch.tensor(peer.idx("train-labels-idx1-ubyte.gz")[:a.limit], dtype=torch.long)
        xte = torch.tensor((peer.idx("t10k-images-idx3-ubyte.gz") / 255.0 - mean) / std, dtype=torch.float32)
        yte = torch.tensor(peer.idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    for m in a.models.split(","):
        peer.run(m, MODELS[m](), xtr, ytr, xte, yte, a.epochs, a.batch)
