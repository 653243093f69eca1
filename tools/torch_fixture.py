#!/usr/bin/env python3
"""Make tests/fixtures/torch/: TinyVAE (tools/examples/vanilla_vae.py) with seeded weights, saved
as a Lightning-style checkpoint, exported by tools/export_torch.py exactly as a user would run
it (with labelled examples it draws, for the panels), and PyTorch's own outputs for fixed inputs (`expected.safetensors`: z, decoded, x, mu,
logvar). The Rust tests (`vae::graph`) build the exported graph and must give PyTorch's numbers.

    .tools/torch-venv/bin/python tools/torch_fixture.py [--out DIR]

`--out` writes elsewhere: `tools/reference_fixtures.py --check` remakes it in a temporary folder
and compares.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import save_file

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "tools" / "examples"))
from vanilla_vae import TinyVAE, randomise_batch_norms  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--out", type=Path, default=root / "tests" / "fixtures" / "torch")
out = ap.parse_args().out
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(7)
model = randomise_batch_norms(TinyVAE(latent_dim=6), seed=3).eval()
with tempfile.TemporaryDirectory() as tmp:
    # Labelled examples for the panels: discs and squares, small and large, drawn here.
    from PIL import Image, ImageDraw

    rows = ["path,labels"]
    for i in range(8):
        for shape in ("disc", "square"):
            img = Image.new("L", (32, 32), 0)
            r = 6 + 2 * (i % 4)
            box = [16 - r + i % 3, 16 - r, 16 + r + i % 3, 16 + r]
            (ImageDraw.Draw(img).ellipse if shape == "disc" else ImageDraw.Draw(img).rectangle)(box, fill=255)
            img.save(Path(tmp) / f"{shape}-{i}.png")
            rows.append(f"{shape}-{i}.png,{shape};{'large' if r > 9 else 'small'}")
    (Path(tmp) / "labels.csv").write_text("\n".join(rows) + "\n")
    ckpt = Path(tmp) / "tiny.ckpt"
    # As Lightning saves it: the network under `state_dict`, behind the module's `model.` prefix,
    # beside things that are not weights.
    torch.save({"state_dict": {f"model.{k}": v for k, v in model.state_dict().items()}, "epoch": 3}, ckpt)
    subprocess.run([sys.executable, str(root / "tools" / "export_torch.py"),
                    "--module", str(root / "tools" / "examples" / "vanilla_vae.py") + ":TinyVAE",
                    "--kwargs", '{"latent_dim": 6}', "--checkpoint", str(ckpt), "--latent", "6",
                    "--input", "1,16,16", "--name", "tiny-vae", "--labels", str(Path(tmp) / "labels.csv"),
                    "--out", str(out)], check=True)
g = torch.Generator().manual_seed(11)
z = torch.randn(5, 6, generator=g)
x = torch.rand(3, 1, 16, 16, generator=g)
with torch.no_grad():
    decoded = model.decode(z)
    mu, logvar = model.encode(x)
save_file({"z": z, "decoded": decoded.contiguous(), "x": x, "mu": mu.contiguous(), "logvar": logvar.contiguous()},
          str(out / "expected.safetensors"))
print(f"wrote {out} (torch {torch.__version__})")
