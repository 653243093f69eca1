"""The VAE of pytorch/examples `vae/main.py` (MNIST), for `tools/reference_fixtures.py`.

Same layers, names and arithmetic as upstream: fc1 784→400, two heads fc21/fc22 400→20, fc3
20→400, fc4 400→784. Upstream flattens in `forward` (`self.encode(x.view(-1, 784))`); here
`encode` does it, so that `encode` takes the 1×28×28 image the exporter hands it. `decode`
returns the flat [B, 784] Bernoulli means, as upstream does.
"""

import torch
import torch.nn.functional as F
from torch import nn


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x.view(-1, 784)))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Upstream's loss: reconstruction BCE summed over pixels and the batch, plus the KL."""
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld
