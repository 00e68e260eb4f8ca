/**
 * PyTorch export: a folder with
 *   model.py     build_model() → the same torch.nn.Sequential (one module per spec layer, so the
 *                state_dict names are the engine's), a small FReLU module, load_weights / save_weights,
 *                normalize() (the input normalization fitted on the training split), and the spec,
 *                training config and metrics as data
 *   weights.npz  the weights under their state_dict names (numpy.load + torch.from_numpy)
 *   train.py     continues training with DistributedDataParallel under torchrun (or plain python)
 *   README.md    how to use the three
 * Only torch and numpy are needed (Debian's python3-torch depends on python3-numpy).
 */
import { analyzeNetwork, SpecValidationError } from '../spec/network-spec'
import type { ResolvedLayer } from '../layers/registry'
import { resolveWindow } from '../layers/geometry'
import type { ExportedModel } from './exported-model'
import { encodeNpz, type NpyArray } from './npz'

export interface ExportedFile {
  name: string
  data: Uint8Array
}

/** Python source of the module for one layer, given its per-sample input shape. */
function moduleFor(layer: ResolvedLayer, input: readonly number[]): string {
  switch (layer.type) {
    case 'conv2d': {
      const win = resolveWindow(input[1], input[2], layer.kernel, layer.stride, layer.padding, 'kernel')
      const args = `${input[0]}, ${layer.filters}, kernel_size=${layer.kernel}, stride=${layer.stride}`
      const bias = layer.bias ? 'True' : 'False'
      if (win.padTop === win.padBottom && win.padLeft === win.padRight && win.padTop === win.padLeft) {
        return `nn.Conv2d(${args}, padding=${win.padTop}, bias=${bias})`
      }
      // "same" with an even kernel or a stride pads one more pixel after than before: pad explicitly.
      return `PaddedConv2d(${args}, pads=(${win.padLeft}, ${win.padRight}, ${win.padTop}, ${win.padBottom}), bias=${bias})`
    }
    case 'maxpool2d':
      return `nn.MaxPool2d(${layer.size}, stride=${layer.stride}, padding=${layer.padding})`
    case 'avgpool2d':
      return `nn.AvgPool2d(${layer.size}, stride=${layer.stride}, padding=${layer.padding}, count_include_pad=True)`
    case 'global_avgpool':
      return 'GlobalAvgPool()'
    case 'dense':
      return `nn.Linear(${input[0]}, ${layer.units}, bias=${layer.bias ? 'True' : 'False'})`
    case 'flatten':
      return 'nn.Flatten()'
    case 'sigmoid':
      return 'nn.Sigmoid()'
    case 'tanh':
      return 'nn.Tanh()'
    case 'relu':
      return 'nn.ReLU()'
    case 'leaky_relu':
      return `nn.LeakyReLU(${py(layer.slope)})`
    case 'elu':
      return `nn.ELU(${py(layer.alpha)})`
    case 'swish':
      return 'nn.SiLU()'
    case 'mish':
      return 'nn.Mish()'
    case 'frelu':
      return `FReLU(${input[0]})`
    case 'softmax':
      return 'nn.Identity() if logits else nn.Softmax(dim=1)'
    case 'identity':
      return 'nn.Identity()'
    case 'dropout':
      return `nn.Dropout(${py(layer.rate)})`
    case 'batchnorm':
      return `nn.BatchNorm${input.length === 3 ? '2' : '1'}d(${input[0]}, eps=${py(layer.eps)}, momentum=${py(layer.momentum)})`
    case 'layernorm':
      return `nn.LayerNorm([${input.join(', ')}], eps=${py(layer.eps)})`
    case 'instancenorm':
      return `nn.InstanceNorm2d(${input[0]}, eps=${py(layer.eps)}, affine=True)`
    case 'groupnorm':
      return `nn.GroupNorm(${layer.groups}, ${input[0]}, eps=${py(layer.eps)})`
  }
}

/** A Python float literal that reads back as the same double. */
function py(n: number): string {
  const s = String(n)
  return /[.e]/.test(s) ? s : `${s}.0`
}

/** A Python string literal holding JSON (JSON's string escapes are all valid in Python). */
function pyJson(value: unknown): string {
  return JSON.stringify(JSON.stringify(value ?? null))
}

export function modelPy(model: ExportedModel): string {
  const analysis = analyzeNetwork(model.spec)
  if (!analysis.ok || !analysis.spec) throw new SpecValidationError(analysis.issues)
  const modules = analysis.spec.layers.map((layer, i) => {
    const info = analysis.layers[i]
    return `        ${moduleFor(layer, info.inputShape)},  # ${i}: ${layer.type} ${info.inputShape.join('x')} -> ${info.outputShape.join('x')}`
  })
  const decay = Object.keys(model.weights).filter((name) => {
    const layer = analysis.spec!.layers[Number(name.split('.')[0])]
    return (layer.type === 'conv2d' || layer.type === 'dense') && name.endsWith('.weight') ? true : layer.type === 'frelu' && name.endsWith('conv.weight')
  })
  const endsWithSoftmax = analysis.spec.layers[analysis.spec.layers.length - 1].type === 'softmax'
  return `"""${(model.spec.name ?? 'Network').replace(/["\\]/g, '')} exported by Tatami.

build_model() gives the same torch.nn.Sequential as the Tatami network (one module per layer, so the
state_dict names are Tatami's), load_weights() loads weights.npz into it. Inputs are NCHW float32 after
normalize(), the input normalization Tatami fitted on the training split. Call model.eval() for inference
(batch norm then uses its running statistics, dropout does nothing).

    import torch
    from model import build_model, load_weights, normalize
    model = load_weights(build_model()).eval()
    with torch.no_grad():
        y = model(normalize(x))    # x: [N, ${analysis.spec.input.shape.join(', ')}]
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
NETWORK_SPEC = json.loads(${pyJson(model.spec)})
TRAINING = json.loads(${pyJson(model.training)})
NORMALIZER = json.loads(${pyJson(model.normalizer)})
SUMMARY = json.loads(${pyJson(model.summary)})
SOURCE = json.loads(${pyJson(model.source)})
INPUT_SHAPE = ${JSON.stringify(analysis.spec.input.shape)}
ENDS_WITH_SOFTMAX = ${endsWithSoftmax ? 'True' : 'False'}
# Parameters Tatami applies weight decay to (conv and dense weights) unless decayAll is set.
DECAY_PARAMS = ${JSON.stringify(decay)}


class FReLU(nn.Module):
    """Funnel activation (Ma et al. 2020): max(x, BN(depthwise 3x3 conv(x)))."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=1, padding=1, groups=channels, bias=True)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.max(x, self.bn(self.conv(x)))


class GlobalAvgPool(nn.Module):
    """Mean over H and W: [N, C, H, W] -> [N, C] (AdaptiveAvgPool2d(1) + Flatten in one module)."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


class PaddedConv2d(nn.Conv2d):
    """Conv2d with explicit, possibly uneven zero padding (left, right, top, bottom)."""

    def __init__(self, *args, pads=(0, 0, 0, 0), **kwargs):
        super().__init__(*args, padding=0, **kwargs)
        self.pads = tuple(pads)

    def forward(self, x):
        return F.conv2d(F.pad(x, self.pads), self.weight, self.bias, self.stride)


def build_model(logits=False):
    """The network. logits=True replaces a final Softmax by Identity (for nn.CrossEntropyLoss)."""
    return nn.Sequential(
${modules.join('\n')}
    )


def load_weights(model, path=os.path.join(HERE, "weights.npz")):
    """Loads an .npz of state_dict entries (as written by Tatami or save_weights) into the model."""
    with np.load(path) as data:
        state = {name: torch.from_numpy(data[name].copy()) for name in data.files}
    model.load_state_dict(state, strict=True)
    return model


def save_weights(model, path):
    """Writes the model's state_dict as .npz (the format load_weights and Tatami read)."""
    state = {name: value.detach().cpu().numpy() for name, value in model.state_dict().items()}
    tmp = path + ".tmp.npz"
    np.savez(tmp, **state)
    os.replace(tmp, path)


def normalize(x):
    """Applies the input normalization Tatami fitted on the training split to raw inputs."""
    n = NORMALIZER
    if not n or n["kind"] == "none":
        return x
    if n["kind"] == "minmax":
        span = n["max"] - n["min"]
        span = span if span > 0 else 1.0
        lo, hi = n["range"]
        return (x - n["min"]) / span * (hi - lo) + lo
    mean = torch.tensor(n["mean"], dtype=x.dtype)
    std = torch.tensor([s if s > 1e-6 else 1.0 for s in n["std"]], dtype=x.dtype)
    if n["perChannel"] and x.dim() == 4:
        mean, std = mean.view(1, -1, 1, 1), std.view(1, -1, 1, 1)
    return (x - mean) / std
`
}

export function trainPy(): string {
  return `"""Continue training the exported Tatami model on your data, on one machine or a cluster.

    python train.py --data my-data.npz --epochs 5                       # one process
    torchrun --nproc_per_node=4 train.py --data my-data.npz             # DistributedDataParallel, 4 processes
    torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --master_port=29500 \\
             --nproc_per_node=8 train.py --data my-data.npz             # two machines (node_rank 1 on the other)

--data is an .npz with "x" (float32 [N, ${'C, H, W'}] or [N, F], raw values: normalize() from model.py is
applied) and "y" (int64 class indices [N], or float32 targets [N, K] for the squared losses). Each process
trains on its share of the samples (DistributedSampler); gradients are averaged by DDP (gloo on CPU, nccl
on GPUs). The loss, optimizer, learning rate, batch size and weight decay default to the Tatami run's
training config; the learning-rate schedule, augmentation and early stopping are not carried over.
Rank 0 writes the weights to --out (.npz, same names; load_weights() reads it).
Debian's torch 1.13 on Python 3.11: torchrun fails with "'NoneType' object has no attribute 'get'" unless
you add "--redirects 1 --tee 1" (its output-stream option parsing breaks on Python 3.11).
"""
import argparse
import os

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from model import DECAY_PARAMS, ENDS_WITH_SOFTMAX, TRAINING, build_model, load_weights, normalize, save_weights

CONFIG = TRAINING or {}
OPT = CONFIG.get("optimizer", {"type": "adam", "lr": 0.001})


def make_optimizer(model, lr):
    kind = OPT["type"]
    decay = OPT.get("weightDecay", 0.01 if kind == "adamw" else 0.0)
    names = set(DECAY_PARAMS)
    if OPT.get("decayAll"):
        groups = [{"params": list(model.parameters()), "weight_decay": decay}]
    else:
        named = list(model.named_parameters())
        groups = [
            {"params": [p for n, p in named if n.replace("module.", "", 1) in names], "weight_decay": decay},
            {"params": [p for n, p in named if n.replace("module.", "", 1) not in names], "weight_decay": 0.0},
        ]
    betas = (OPT.get("beta1", 0.9), OPT.get("beta2", 0.999))
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if kind in ("momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=lr, momentum=OPT.get("momentum", 0.9), nesterov=kind == "nesterov")
    if kind == "adagrad":
        return torch.optim.Adagrad(groups, lr=lr, eps=OPT.get("eps", 1e-10))
    if kind == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=OPT.get("alpha", 0.99), eps=OPT.get("eps", 1e-8))
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=OPT.get("eps", 1e-8))
    if kind == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=OPT.get("eps", 1e-8))
    raise SystemExit(f"unknown optimizer {kind!r} in the training config")


def make_loss(name, classes):
    if name == "cross_entropy":
        return nn.CrossEntropyLoss()

    def squared(out, target):
        if target.dtype == torch.int64:
            target = nn.functional.one_hot(target, classes).to(out.dtype)
        if name == "mse":
            return nn.functional.mse_loss(out, target)
        return 0.5 * nn.functional.mse_loss(out, target, reduction="sum") / out.shape[0]

    return squared


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help='.npz with "x" and "y"')
    parser.add_argument("--weights", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights.npz"))
    parser.add_argument("--out", default="weights-continued.npz")
    parser.add_argument("--epochs", type=int, default=CONFIG.get("epochs", 1))
    parser.add_argument("--batch-size", type=int, default=CONFIG.get("batchSize", 32), help="per process")
    parser.add_argument("--lr", type=float, default=OPT.get("lr", 0.001))
    parser.add_argument("--loss", default=CONFIG.get("loss", "cross_entropy"), choices=["cross_entropy", "mse", "sum_squared"])
    parser.add_argument("--seed", type=int, default=CONFIG.get("seed", 0))
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    args = parser.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1 or "LOCAL_RANK" in os.environ
    cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if cuda else "gloo")
        rank, local_rank = dist.get_rank(), int(os.environ.get("LOCAL_RANK", "0"))
    else:
        rank, local_rank = 0, 0
    device = torch.device(f"cuda:{local_rank}") if cuda else torch.device("cpu")
    torch.manual_seed(args.seed)

    logits = args.loss == "cross_entropy" and ENDS_WITH_SOFTMAX
    model = load_weights(build_model(logits=logits), args.weights).to(device)
    net = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None) if distributed else model

    with np.load(args.data) as data:
        x = normalize(torch.from_numpy(data["x"].astype(np.float32)))
        y = torch.from_numpy(data["y"])
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, shuffle=True, seed=args.seed) if distributed else None
    # Batch statistics need two samples: drop a last batch of one.
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler, shuffle=sampler is None, drop_last=len(dataset) % args.batch_size == 1)
    model.eval()
    with torch.no_grad():
        classes = model(x[:1].to(device)).shape[1]
    loss_fn = make_loss(args.loss, classes)
    optimizer = make_optimizer(net, args.lr)

    steps = 0
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = loss_fn(net(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
            steps += 1
            if args.max_steps and steps >= args.max_steps:
                break
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: train loss {total / max(count, 1):.4f} ({count} samples on rank 0)", flush=True)
        if args.max_steps and steps >= args.max_steps:
            break
    if rank == 0:
        save_weights(model, args.out)
        print(f"wrote {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`
}

/** The weights as .npz: float32 arrays with the engine's shapes; num_batches_tracked as int64 scalars (as PyTorch). */
export function weightsNpz(model: ExportedModel): Uint8Array {
  const arrays: NpyArray[] = Object.entries(model.weights).map(([name, entry]) =>
    name.endsWith('num_batches_tracked')
      ? { name, shape: [], dtype: 'int64', data: [Number(entry.data[0] ?? 0)] }
      : { name, shape: entry.shape.slice(), dtype: 'float32', data: entry.data }
  )
  return encodeNpz(arrays)
}

function readme(model: ExportedModel): string {
  return `# ${model.spec.name ?? 'Network'} (exported by Tatami)

- \`model.py\`: \`build_model()\` (torch.nn.Sequential), \`load_weights()\`, \`normalize()\`.
- \`weights.npz\`: the weights under PyTorch state_dict names.
- \`train.py\`: continue training with DistributedDataParallel (\`torchrun --nproc_per_node=N train.py --data data.npz\`).

\`\`\`python
import torch
from model import build_model, load_weights, normalize
model = load_weights(build_model()).eval()
with torch.no_grad():
    y = model(normalize(x))
\`\`\`
`
}

/** Every file of the PyTorch export folder. */
export function exportPytorch(model: ExportedModel): ExportedFile[] {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s)
  return [
    { name: 'model.py', data: text(modelPy(model)) },
    { name: 'train.py', data: text(trainPy()) },
    { name: 'weights.npz', data: weightsNpz(model) },
    { name: 'README.md', data: text(readme(model)) }
  ]
}
