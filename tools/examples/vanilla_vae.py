"""Two VAEs in PyTorch for trying `tools/export_torch.py`, and for its tests.

`VanillaVAE` has the shape of AntixK PyTorch-VAE's model of that name (CelebA, 64×64×3): five
stride-2 convolutions with BatchNorm and LeakyReLU down to 512×2×2, μ and log σ² from two
linear heads, and back up through ConvTranspose2d layers to a Tanh image. `TinyVAE` is small
and uses every other layer the exporter takes: a residual add, a channel concatenation,
nearest and bilinear upsampling, ELU, SiLU, GELU, Softplus, BatchNorm1d, μ and log σ² as the
two halves of one output (`chunk`), and a Sigmoid image.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class VanillaVAE(nn.Module):
    def __init__(self, in_channels=3, latent_dim=128, hidden_dims=(32, 64, 128, 256, 512)):
        super().__init__()
        self.latent_dim = latent_dim
        modules, c = [], in_channels
        for h in hidden_dims:
            modules.append(nn.Sequential(nn.Conv2d(c, h, 3, stride=2, padding=1), nn.BatchNorm2d(h), nn.LeakyReLU()))
            c = h
        self.encoder = nn.Sequential(*modules)
        self.fc_mu = nn.Linear(hidden_dims[-1] * 4, latent_dim)
        self.fc_var = nn.Linear(hidden_dims[-1] * 4, latent_dim)
        self.decoder_input = nn.Linear(latent_dim, hidden_dims[-1] * 4)
        rev = list(reversed(hidden_dims))
        self.decoder = nn.Sequential(*[
            nn.Sequential(nn.ConvTranspose2d(rev[i], rev[i + 1], 3, stride=2, padding=1, output_padding=1),
                          nn.BatchNorm2d(rev[i + 1]), nn.LeakyReLU())
            for i in range(len(rev) - 1)
        ])
        self.final_layer = nn.Sequential(
            nn.ConvTranspose2d(rev[-1], rev[-1], 3, stride=2, padding=1, output_padding=1),
            nn.BatchNorm2d(rev[-1]), nn.LeakyReLU(),
            nn.Conv2d(rev[-1], in_channels, 3, padding=1), nn.Tanh())
        self.top = hidden_dims[-1]

    def encode(self, x):
        result = torch.flatten(self.encoder(x), start_dim=1)
        return [self.fc_mu(result), self.fc_var(result)]

    def decode(self, z):
        result = self.decoder_input(z)
        result = result.view(-1, self.top, 2, 2)
        return self.final_layer(self.decoder(result))


class TinyVAE(nn.Module):
    def __init__(self, latent_dim=6):
        super().__init__()
        self.down = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.head = nn.Linear(4 * 8 * 8, 2 * latent_dim)
        self.from_z = nn.Linear(latent_dim, 8 * 4 * 4)
        self.norm1 = nn.BatchNorm1d(8 * 4 * 4)
        self.up = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
        self.side = nn.Conv2d(8, 4, 1)
        self.mix = nn.Conv2d(8, 4, 3, padding=1)
        self.out = nn.Conv2d(4, 1, 3, padding=1)
        self.act = nn.Softplus(beta=2.0)

    def encode(self, x):
        h = F.elu(self.norm(self.down(x)))
        mu, logvar = self.head(h.flatten(1)).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z):
        h = F.silu(self.norm1(self.from_z(z))).view(-1, 8, 4, 4)
        a = self.up(h)
        b = F.interpolate(self.side(h), scale_factor=2, mode="nearest")
        h = F.gelu(torch.cat([a + b, b], dim=1))
        h = self.act(self.mix(h))
        h = F.interpolate(h, scale_factor=2, mode="bilinear", align_corners=False)
        return torch.sigmoid(self.out(h))


def randomise_batch_norms(model, seed=0):
    """Give every BatchNorm running statistics and an affine part unlike the identity, so a test
    of the export sees them."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.3)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
    return model
