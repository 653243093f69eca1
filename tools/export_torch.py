#!/usr/bin/env python3
"""Export a VAE trained in PyTorch as a Latent Lab bundle: the layer graph the page runs
(`crates/bundle/src/graph.rs`) and the weights as safetensors, under PyTorch's own key names.

    python tools/export_torch.py --module my_vae.py:VAE --checkpoint vae.ckpt \
        --latent 128 --input 3,64,64 --out exported/

What the model does is read by tracing it with torch.fx, not guessed from key names: the
decoder is `model.decode` (or `--decoder NAME`, a method or submodule), the encoder
`model.encode` when it exists. An op the page cannot run is refused with a message naming the
op and the traced node it came from. Checkpoints: a bare state_dict `.pt`, a Lightning `.ckpt`
(state_dict under "state_dict", keys behind a `model.` prefix), or `.safetensors`.

Writes `<out>/graph.json` (the decoder and encoder graphs and how to read them) and
`<out>/weights.safetensors` (only the tensors the graphs read, as f32, or f16 with `--dtype f16`,
when the labelled examples below are encoded with the weights so rounded). graph.json carries
`format_version`, which the page reads first and refuses when newer than it knows.

With `--labels` (a folder holding a folder of example images per label, or a CSV of
`path,labels` with labels separated by `;`) the encoder is run on the examples (needs Pillow)
and graph.json also gets what our own bundles carry for the panels: the label names, an
attribute vector per label (mean μ of the examples with it minus the mean of those without),
a 2-D PCA map of the codes coloured by the first label, and the KL of each dimension.
"""

import argparse
import csv
import importlib.util
import json
import operator
import sys
from math import prod
from pathlib import Path

import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

INPUT = "input"


class Refused(Exception):
    """Something the page cannot run, with where it is."""


def load_class(spec):
    """`path/to/file.py:ClassName` or `package.module:ClassName`."""
    where, _, name = spec.partition(":")
    if not name:
        raise SystemExit(f"--module wants FILE.py:Class or module:Class, not {spec!r}")
    if where.endswith(".py"):
        s = importlib.util.spec_from_file_location(Path(where).stem, where)
        mod = importlib.util.module_from_spec(s)
        sys.modules[s.name] = mod
        s.loader.exec_module(mod)
    else:
        mod = importlib.import_module(where)
    return getattr(mod, name)


def load_state_dict(path):
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    obj = torch.load(str(path), map_location="cpu", weights_only=True)
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise SystemExit(f"{path}: not a state_dict (found {type(obj).__name__})")
    # Lightning keeps the network as `self.model`: its keys carry the attribute's prefix.
    if obj and all(k.startswith("model.") for k in obj):
        obj = {k[len("model."):]: v for k, v in obj.items()}
    return obj


class Part(nn.Module):
    """One method of the model (decode, encode) as a module of its own, so fx can trace it."""

    def __init__(self, model, method):
        super().__init__()
        self.model = model
        self.method = method

    def forward(self, x):
        return getattr(self.model, self.method)(x)


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


class Tracer:
    """Walks an fx graph and writes the page's nodes."""

    def __init__(self, traced, prefix):
        self.traced = traced
        self.modules = dict(traced.named_modules())
        self.prefix = prefix  # the wrapper's attribute path, cut off weight keys
        self.nodes = []
        self.names = {}  # fx node -> the page's value name
        self.consts = {}  # fx node -> a Python value (sizes, slices)
        self.outputs = None

    def key(self, path, what):
        full = f"{path}.{what}"
        return full[len(self.prefix):] if full.startswith(self.prefix) else full

    def ref(self, arg, node):
        if isinstance(arg, fx.Node) and arg in self.names:
            return self.names[arg]
        raise Refused(f"{where(node)}: reads {arg!r}, which is not a tensor the page computes")

    def emit(self, node, op, inputs):
        name = node.name
        self.nodes.append({"name": name, **op, "inputs": inputs})
        self.names[node] = name

    def alias(self, node, source):
        self.names[node] = self.ref(source, node)

    def run(self):
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                self.names[node] = INPUT
            elif node.op == "call_module":
                self.module(node, self.modules[node.target])
            elif node.op == "call_function":
                self.function(node, node.target)
            elif node.op == "call_method":
                self.method(node, node.target)
            elif node.op == "output":
                self.outputs = node.args[0]
            else:
                raise Refused(f"{where(node)}: {node.op} {node.target} is not supported")
        return self.nodes

    def module(self, node, m):
        x = node.args[0]
        path = node.target
        w = lambda what: self.key(path, what)  # noqa: E731
        bias = lambda: w("bias") if getattr(m, "bias", None) is not None else None  # noqa: E731
        if isinstance(m, nn.Linear):
            self.emit(node, {"op": "linear", "weight": w("weight"), "bias": bias()}, [self.ref(x, node)])
        elif isinstance(m, nn.Conv2d):
            if m.padding_mode != "zeros" or isinstance(m.padding, str):
                raise Refused(f"{where(node)}: Conv2d padding {m.padding!r} ({m.padding_mode}) is not supported")
            op = {"op": "conv2d", "weight": w("weight"), "bias": bias(), "stride": pair(m.stride),
                  "padding": pair(m.padding), "dilation": pair(m.dilation), "groups": m.groups}
            self.emit(node, op, [self.ref(x, node)])
        elif isinstance(m, nn.ConvTranspose2d):
            if pair(m.dilation) != [1, 1]:
                raise Refused(f"{where(node)}: ConvTranspose2d with dilation {m.dilation} is not supported")
            op = {"op": "conv_transpose2d", "weight": w("weight"), "bias": bias(), "stride": pair(m.stride),
                  "padding": pair(m.padding), "output_padding": pair(m.output_padding), "groups": m.groups}
            self.emit(node, op, [self.ref(x, node)])
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if not m.track_running_stats:
                raise Refused(f"{where(node)}: BatchNorm without running statistics cannot run in eval mode")
            op = {"op": "batch_norm", "weight": w("weight") if m.affine else None,
                  "bias": w("bias") if m.affine else None, "running_mean": w("running_mean"),
                  "running_var": w("running_var"), "eps": m.eps}
            self.emit(node, op, [self.ref(x, node)])
        elif isinstance(m, nn.Upsample):
            self.emit(node, upsample(node, m.scale_factor, m.size, m.mode, m.align_corners), [self.ref(x, node)])
        elif isinstance(m, (nn.Dropout, nn.Identity)):
            self.alias(node, x)
        elif isinstance(m, nn.Flatten):
            if m.start_dim != 1 or m.end_dim != -1:
                raise Refused(f"{where(node)}: Flatten({m.start_dim}, {m.end_dim}) is not supported (only from 1)")
            self.emit(node, {"op": "flatten", "start": 1}, [self.ref(x, node)])
        elif isinstance(m, nn.Unflatten):
            if m.dim != 1:
                raise Refused(f"{where(node)}: Unflatten along {m.dim} is not supported (only 1)")
            self.emit(node, {"op": "reshape", "shape": list(m.unflattened_size)}, [self.ref(x, node)])
        else:
            op = activation_module(m)
            if op is None:
                raise Refused(f"{where(node)}: the layer {type(m).__name__} is not supported")
            self.emit(node, op, [self.ref(x, node)])

    def function(self, node, f):
        args = node.args
        if f in (operator.add, torch.add) and all(isinstance(a, fx.Node) for a in args[:2]):
            self.emit(node, {"op": "add"}, [self.ref(a, node) for a in args[:2]])
        elif f is torch.cat:
            dim = node.kwargs.get("dim", args[1] if len(args) > 1 else 0)
            self.emit(node, {"op": "concat", "dim": positive_dim(node, dim)}, [self.ref(a, node) for a in args[0]])
        elif f in (torch.flatten,):
            start = node.kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
            if start != 1:
                raise Refused(f"{where(node)}: torch.flatten from {start} is not supported (only 1)")
            self.emit(node, {"op": "flatten", "start": 1}, [self.ref(args[0], node)])
        elif f is F.interpolate:
            kw = node.kwargs
            self.emit(node, upsample(node, kw.get("scale_factor"), kw.get("size"), kw.get("mode", "nearest"),
                                     kw.get("align_corners")), [self.ref(args[0], node)])
        elif f is operator.getitem:
            self.getitem(node)
        elif f is torch.chunk:
            self.consts[node] = ("chunk", args[0], args[1], node.kwargs.get("dim", args[2] if len(args) > 2 else 0))
        else:
            op = activation_function(f, node)
            if op is None:
                raise Refused(f"{where(node)}: the function {getattr(f, '__name__', f)} is not supported")
            self.emit(node, op, [self.ref(args[0], node)])

    def method(self, node, name):
        args = node.args
        if name in ("view", "reshape"):
            sizes = args[1:] if not isinstance(args[1], (tuple, list)) else args[1]
            self.emit(node, {"op": "reshape", "shape": reshape_sizes(node, sizes)}, [self.ref(args[0], node)])
        elif name == "flatten":
            start = node.kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
            if start != 1:
                raise Refused(f"{where(node)}: .flatten({start}) is not supported (only from 1)")
            self.emit(node, {"op": "flatten", "start": 1}, [self.ref(args[0], node)])
        elif name == "size":
            self.consts[node] = ("batch",) if args[1:] in ((0,),) else ("size",)
        elif name == "chunk":
            self.consts[node] = ("chunk", args[0], args[1], node.kwargs.get("dim", args[2] if len(args) > 2 else 0))
        elif name in ("contiguous", "clone", "float"):
            self.alias(node, args[0])
        else:
            op = activation_function(name, node)
            if op is None:
                raise Refused(f"{where(node)}: the method .{name}() is not supported")
            self.emit(node, op, [self.ref(args[0], node)])

    def getitem(self, node):
        source, index = node.args
        c = self.consts.get(source)
        if c and c[0] == "chunk":
            _, tensor, chunks, dim = c
            if chunks != 2 or dim not in (1, -1):
                raise Refused(f"{where(node)}: chunk({chunks}, dim={dim}) is not supported (only 2 along 1)")
            self.consts[node] = ("half", tensor, index)
            self.emit_half(node, tensor, index)
        elif isinstance(index, tuple) and len(index) == 2 and index[0] == slice(None):
            s = index[1]
            if not isinstance(s, slice) or s.step not in (None, 1):
                raise Refused(f"{where(node)}: indexing {index!r} is not supported (only x[:, a:b])")
            self.pending_slice(node, source, s)
        else:
            raise Refused(f"{where(node)}: indexing with {index!r} is not supported")

    def emit_half(self, node, tensor, index):
        # The half's length is known only with shapes; the page's graph needs it, so it is
        # taken from a shape run below (`shapes`) and filled in then.
        self.nodes.append({"name": node.name, "op": "slice", "start": ("half", index), "len": "half",
                           "inputs": [self.ref(tensor, node)]})
        self.names[node] = node.name

    def pending_slice(self, node, source, s):
        self.nodes.append({"name": node.name, "op": "slice", "start": s.start or 0,
                           "len": ("stop", s.stop), "inputs": [self.ref(source, node)]})
        self.names[node] = node.name


def where(node):
    trace = (node.stack_trace or "").strip().splitlines()
    line = next((t.strip() for t in reversed(trace) if t.strip().startswith("File")), "")
    return f"node {node.name} ({node.op} {getattr(node.target, '__name__', node.target)})" + (f" at {line}" if line else "")


def positive_dim(node, dim):
    if dim < 0:
        raise Refused(f"{where(node)}: a negative dimension ({dim}) cannot be placed without shapes; use a positive one")
    if dim == 0:
        raise Refused(f"{where(node)}: joining along the batch is not supported")
    return dim


def reshape_sizes(node, sizes):
    out = []
    for i, s in enumerate(sizes):
        if i == 0:
            continue  # the batch: -1, a size() or a number
        if not isinstance(s, int) or s < 1:
            raise Refused(f"{where(node)}: reshape to {sizes!r}: only fixed sizes after the batch are supported")
        out.append(s)
    return out


def upsample(node, scale, size, mode, align_corners):
    if size is not None:
        raise Refused(f"{where(node)}: upsampling to a fixed size is not supported (use scale_factor)")
    if scale is None:
        raise Refused(f"{where(node)}: upsampling with no scale factor")
    sc = pair(scale)
    if any(float(v) != int(v) or v < 1 for v in sc):
        raise Refused(f"{where(node)}: only whole scale factors are supported, not {scale}")
    if mode not in ("nearest", "bilinear"):
        raise Refused(f"{where(node)}: upsampling mode {mode!r} is not supported (nearest, bilinear)")
    return {"op": "upsample", "scale": [int(v) for v in sc], "mode": mode, "align_corners": bool(align_corners)}


def activation_module(m):
    if isinstance(m, nn.ReLU):
        return {"op": "relu"}
    if isinstance(m, nn.LeakyReLU):
        return {"op": "leaky_relu", "slope": m.negative_slope}
    if isinstance(m, nn.ELU):
        return {"op": "elu", "alpha": m.alpha}
    if isinstance(m, nn.SiLU):
        return {"op": "silu"}
    if isinstance(m, nn.GELU):
        return {"op": "gelu", "tanh": m.approximate == "tanh"}
    if isinstance(m, nn.Tanh):
        return {"op": "tanh"}
    if isinstance(m, nn.Sigmoid):
        return {"op": "sigmoid"}
    if isinstance(m, nn.Softplus):
        return {"op": "softplus", "beta": float(m.beta), "threshold": float(m.threshold)}
    return None


def activation_function(f, node):
    name = f if isinstance(f, str) else getattr(f, "__name__", "")
    kw = node.kwargs
    if name in ("relu", "relu_"):
        return {"op": "relu"}
    if name in ("leaky_relu", "leaky_relu_"):
        slope = kw.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01)
        return {"op": "leaky_relu", "slope": slope}
    if name == "elu":
        return {"op": "elu", "alpha": kw.get("alpha", node.args[1] if len(node.args) > 1 else 1.0)}
    if name == "silu":
        return {"op": "silu"}
    if name == "gelu":
        return {"op": "gelu", "tanh": kw.get("approximate", "none") == "tanh"}
    if name == "tanh":
        return {"op": "tanh"}
    if name == "sigmoid":
        return {"op": "sigmoid"}
    if name == "softplus":
        return {"op": "softplus", "beta": float(kw.get("beta", 1.0)), "threshold": float(kw.get("threshold", 20.0))}
    return None


def fill_shapes(part, nodes, example):
    """Slices need lengths: run the part once on `example` and read each traced value's size."""
    sizes = {}

    class Recorder(fx.Interpreter):
        def run_node(self, n):
            out = super().run_node(n)
            if isinstance(out, torch.Tensor):
                sizes[n.name] = list(out.shape[1:])
            return out

    traced = fx.symbolic_trace(part)
    Recorder(traced).run(example)
    for n in nodes:
        if n["op"] != "slice":
            continue
        width = sizes[n["inputs"][0]][0] if n["inputs"][0] != INPUT else list(example.shape[1:])[0]
        if n["len"] == "half":
            half = width // 2
            n["start"], n["len"] = (0 if n["start"][1] == 0 else half), half
        elif isinstance(n["len"], tuple):
            stop = n["len"][1]
            stop = width if stop is None else (width + stop if stop < 0 else stop)
            n["len"] = stop - n["start"]
    return sizes


def trace_part(model, method, example):
    part = Part(model, method).eval()
    try:
        traced = fx.symbolic_trace(part)
    except Exception as e:  # fx's own messages say which Python construct it could not follow
        raise Refused(f"{method}: torch.fx could not trace it: {e}") from e
    tracer = Tracer(traced, prefix="model.")
    nodes = tracer.run()
    sizes = fill_shapes(part, nodes, example)
    return tracer, nodes, sizes


def heads_of(tracer, layout):
    """μ and log σ² from the encoder's output: two values, or one split in halves / interleaved."""
    out = tracer.outputs
    if isinstance(out, (tuple, list)) and len(out) >= 2:
        return {"kind": "two", "mu": tracer.names[out[0]], "logvar": tracer.names[out[1]]}
    if isinstance(out, fx.Node):
        if layout not in ("halves", "interleaved"):
            raise Refused("the encoder returns one tensor: say how it holds μ and log σ² with --heads halves|interleaved")
        return {"kind": layout, "output": tracer.names[out]}
    raise Refused(f"the encoder returns {out!r}: expected (μ, log σ²) or one tensor")


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}


def labelled_examples(spec):
    """(path, [labels]) pairs from a folder of label folders or a CSV of path,labels."""
    spec = Path(spec)
    if spec.suffix.lower() == ".csv":
        rows = []
        with open(spec, newline="") as f:
            for row in csv.reader(f):
                # An example with none of the labels may be written "face.png," or just
                # "face.png": it is kept, and counts among those without each label.
                if not row or not row[0].strip() or row[0].strip().lower() == "path":
                    continue
                labels = [l.strip() for l in row[1].split(";") if l.strip()] if len(row) > 1 else []
                rows.append((spec.parent / row[0].strip(), labels))
        return rows
    return [(f, [d.name]) for d in sorted(spec.iterdir()) if d.is_dir()
            for f in sorted(d.iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES]


def load_images(rows, shape, normalise):
    from PIL import Image

    c, h, w = shape
    xs = []
    for path, _ in rows:
        img = Image.open(path).convert("L" if c == 1 else "RGB").resize((w, h), Image.BILINEAR)
        x = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).float().div(255.0)
        xs.append(x.view(h, w, c).permute(2, 0, 1))
    x = torch.stack(xs)
    if normalise:
        mean = torch.tensor(normalise["mean"]).view(1, c, 1, 1)
        std = torch.tensor(normalise["std"]).view(1, c, 1, 1)
        x = (x - mean) / std
    return x


def split_heads(out, layout):
    if isinstance(out, (tuple, list)):
        return out[0], out[1]
    if layout == "interleaved":
        return out[:, 0::2], out[:, 1::2]
    return out.chunk(2, dim=1)


def panels(model, method, layout, rows, shape, normalise):
    """Label names, attribute vectors, the PCA map and KL per dimension from labelled examples."""
    x = load_images(rows, shape, normalise)
    with torch.no_grad():
        mu, logvar = split_heads(getattr(model, method)(x), layout)
    names = sorted({l for _, labels in rows for l in labels})
    has = torch.tensor([[n in labels for n in names] for _, labels in rows])
    vectors = []
    for k, n in enumerate(names):
        on, off = has[:, k], ~has[:, k]
        if on.any() and off.any():
            v = mu[on].mean(0) - mu[off].mean(0)
            vectors.append({"name": n, "vector": v.tolist(), "support": [int(on.sum()), int(off.sum())]})
    kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar)).mean(0)
    centre = mu.mean(0)
    _, _, vh = torch.linalg.svd(mu - centre, full_matrices=False)
    comps = vh[:2] if vh.shape[0] >= 2 else torch.cat([vh, torch.zeros_like(vh)])[:2]
    xy = (mu - centre) @ comps.T
    first = [names.index(labels[0]) if labels else 0 for _, labels in rows]
    points = [[float(a), float(b), float(l)] for (a, b), l in zip(xy.tolist(), first)]
    return {"label_names": names, "vectors": vectors, "kl_per_dim": kl.tolist(),
            "map": {"projection": {"mean": centre.tolist(), "components": comps.tolist()}, "points": points},
            "examples_encoded": len(rows)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--module", required=True, help="FILE.py:Class or package.module:Class")
    p.add_argument("--checkpoint", required=True, help=".pt state_dict, Lightning .ckpt or .safetensors")
    p.add_argument("--kwargs", default="{}", help="the class's constructor arguments, as JSON")
    p.add_argument("--latent", type=int, required=True, help="the code's length")
    p.add_argument("--input", required=True, help="the image as C,H,W (e.g. 3,64,64)")
    p.add_argument("--decoder", default="decode", help="the decoding method (default decode)")
    p.add_argument("--encoder", default="encode", help="the encoding method (default encode); 'none' for none")
    p.add_argument("--heads", default="two", choices=["two", "halves", "interleaved"])
    p.add_argument("--output", default=None, choices=["sigmoid", "tanh", "logits"],
                   help="the decoder's output range; read from its last op when not given")
    p.add_argument("--mean", default=None, help="input normalisation: per-channel mean, e.g. 0.5,0.5,0.5")
    p.add_argument("--std", default=None, help="input normalisation: per-channel std")
    p.add_argument("--labels", default=None, help="labelled examples: a folder of label folders, or a CSV")
    p.add_argument("--dtype", default="f32", choices=["f32", "f16"],
                   help="how the weights are stored; f16 halves the file (the page computes in f32 either way)")
    p.add_argument("--name", default=None)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    cls = load_class(a.module)
    model = cls(**json.loads(a.kwargs)).eval()
    state = load_state_dict(a.checkpoint)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing:
        raise SystemExit(f"the checkpoint lacks {len(missing)} of the model's tensors, first {missing[:5]}")
    if a.dtype == "f16":
        # The page widens the f16 weights to f32: round the model the same way before the
        # labelled examples are encoded, so the panels describe the weights the page runs.
        with torch.no_grad():
            for t in model.state_dict().values():
                if t.is_floating_point():
                    t.copy_(t.half().float())
    shape = [int(v) for v in a.input.split(",")]
    try:
        dec, dec_nodes, dec_sizes = trace_part(model, a.decoder, torch.zeros(2, a.latent))
        enc = None
        if a.encoder != "none" and hasattr(model, a.encoder):
            tracer, enc_nodes, _ = trace_part(model, a.encoder, torch.zeros(2, *shape))
            enc = {"graph": {"input": shape, "nodes": enc_nodes}, "heads": heads_of(tracer, a.heads)}
    except Refused as e:
        raise SystemExit(f"cannot export: {e}")
    made = dec_sizes.get(dec_nodes[-1]["name"], []) if dec_nodes else []
    if prod(made) != prod(shape):
        # The page reads the decoder's output as the image, channels first, whether it is
        # [C, H, W] or flat ([784] for 1×28×28); another number of values is a wrong --input.
        raise SystemExit(f"cannot export: the decoder makes {made} per code, not the "
                         f"{'×'.join(map(str, shape))} image --input names")
    last = dec_nodes[-1]["op"] if dec_nodes else None
    output = a.output or {"sigmoid": "sigmoid", "tanh": "tanh"}.get(last, "logits")
    graphs = [{"nodes": dec_nodes}] + ([enc["graph"]] if enc else [])
    keys = sorted({n[k] for g in graphs for n in g["nodes"]
                   for k in ("weight", "bias", "running_mean", "running_var") if n.get(k)})
    sd = model.state_dict()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    store = torch.float16 if a.dtype == "f16" else torch.float32
    save_file({k: sd[k].detach().to(store).contiguous() for k in keys}, str(out / "weights.safetensors"))
    doc = {
        "format_version": 1,
        "name": a.name or cls.__name__,
        "latent_dim": a.latent,
        "image": {"channels": shape[0], "height": shape[1], "width": shape[2]},
        "decoder": {"input": [a.latent], "nodes": dec_nodes},
        "output": output,
        "encoder": enc,
        "normalise": {"mean": [float(v) for v in a.mean.split(",")], "std": [float(v) for v in a.std.split(",")]}
        if a.mean and a.std else None,
        "unused_checkpoint_keys": sorted(set(state) - set(keys)),
    }
    if a.labels:
        if not enc:
            raise SystemExit("--labels needs an encoder: the examples are encoded to find the vectors")
        rows = labelled_examples(a.labels)
        if not rows:
            raise SystemExit(f"{a.labels}: no labelled images found")
        doc.update(panels(model, a.encoder, a.heads, rows, shape, doc["normalise"]))
    (out / "graph.json").write_text(json.dumps(doc, indent=1))
    print(f"wrote {out}/graph.json ({len(dec_nodes)} decoder nodes"
          + (f", {len(enc['graph']['nodes'])} encoder nodes" if enc else ", no encoder")
          + f") and weights.safetensors ({len(keys)} tensors); output {output}"
          + (f"; {doc['examples_encoded']} labelled examples, {len(doc['vectors'])} vectors" if a.labels else ""))


if __name__ == "__main__":
    main()
