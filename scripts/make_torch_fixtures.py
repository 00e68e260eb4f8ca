#!/usr/bin/env python3
"""
PyTorch parity fixtures for the Tatami engine (see docs/engine.md).

Run with Debian's PyTorch:   /usr/bin/python3 scripts/make_torch_fixtures.py
Writes test/fixtures/torch/{layers,networks,losses,optimizers,schedules,initializers}.json and prints a
summary. Everything is computed in float64 and is deterministic (torch.manual_seed per case).

Tensor encoding in every file: {"shape": [...], "data": [flat row-major list of float64]}.
A state dict is {name: tensor}, with buffers included and num_batches_tracked stored as a float.
"""
import json
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'torch')
TORCH_VERSION = torch.__version__
GENERATOR = 'scripts/make_torch_fixtures.py'


# ----------------------------------------------------------------------------------------------------
# Encoding helpers

def enc(t):
    t = t.detach()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def enc_state(module):
    return {name: enc(value.to(torch.float64)) for name, value in module.state_dict().items()}


def seed_for(name):
    return zlib.crc32(name.encode('utf-8')) & 0x7FFFFFFF


def write(name, payload):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    text = json.dumps(payload, separators=(',', ':'))
    with open(path, 'w') as f:
        f.write(text)
        f.write('\n')
    return path, len(text) + 1


# ----------------------------------------------------------------------------------------------------
# Spec layer -> PyTorch module (docs/engine.md, "Layers")

def same_padding(size, kernel, stride):
    """TensorFlow's 'same': out = ceil(in/stride); the odd pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    before = total // 2
    return before, total - before


class SamePadConv2d(nn.Module):
    """Conv2d with TF-style asymmetric 'same' padding (for stride > 1); parameters are weight/bias."""

    def __init__(self, in_c, out_c, kernel, stride, bias, in_hw):
        super().__init__()
        conv = nn.Conv2d(in_c, out_c, kernel, stride, 0, bias=bias)
        self.weight = conv.weight
        self.bias = conv.bias
        self.stride = stride
        top, bottom = same_padding(in_hw[0], kernel, stride)
        left, right = same_padding(in_hw[1], kernel, stride)
        self.pad = nn.ZeroPad2d((left, right, top, bottom))

    def forward(self, x):
        return F.conv2d(self.pad(x), self.weight, self.bias, self.stride)


class FReLU(nn.Module):
    """Funnel activation: max(x, BN(DWConv3x3(x)))."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, 1, 1, groups=channels)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.max(x, self.bn(self.conv(x)))


class GlobalAvgPool(nn.Module):
    """AdaptiveAvgPool2d(1) + Flatten, no parameters (so it takes one Sequential index)."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x):
        return self.flatten(self.pool(x))


def build_module(layer_spec, in_shape):
    """Returns (module, output per-sample shape) for one Tatami spec layer (defaults as in docs/engine.md)."""
    s = layer_spec
    t = s['type']
    in_shape = list(in_shape)
    if t == 'conv2d':
        c = in_shape[0]
        k = s['kernel']
        stride = s.get('stride', 1)
        padding = s.get('padding', 'valid')
        bias = s.get('bias', True)
        if padding == 'same' and stride > 1:
            m = SamePadConv2d(c, s['filters'], k, stride, bias, in_shape[1:])
        elif padding == 'same':
            m = nn.Conv2d(c, s['filters'], k, 1, padding='same', bias=bias)
        elif padding == 'valid':
            m = nn.Conv2d(c, s['filters'], k, stride, 0, bias=bias)
        else:
            m = nn.Conv2d(c, s['filters'], k, stride, int(padding), bias=bias)
    elif t == 'maxpool2d':
        size = s.get('size', 2)
        m = nn.MaxPool2d(size, s.get('stride', size), s.get('padding', 0))
    elif t == 'avgpool2d':
        size = s.get('size', 2)
        m = nn.AvgPool2d(size, s.get('stride', size), s.get('padding', 0), count_include_pad=True)
    elif t == 'global_avgpool':
        m = GlobalAvgPool()
    elif t == 'dense':
        assert len(in_shape) == 1, 'dense needs a flat input'
        m = nn.Linear(in_shape[0], s['units'], bias=s.get('bias', True))
    elif t == 'flatten':
        m = nn.Flatten()
    elif t == 'sigmoid':
        m = nn.Sigmoid()
    elif t == 'tanh':
        m = nn.Tanh()
    elif t == 'relu':
        m = nn.ReLU()
    elif t == 'leaky_relu':
        m = nn.LeakyReLU(s.get('slope', 0.01))
    elif t == 'elu':
        m = nn.ELU(s.get('alpha', 1.0))
    elif t == 'swish':
        m = nn.SiLU()
    elif t == 'mish':
        m = nn.Mish()
    elif t == 'frelu':
        m = FReLU(in_shape[0])
    elif t == 'softmax':
        m = nn.Softmax(dim=1)
    elif t == 'identity':
        m = nn.Identity()
    elif t == 'batchnorm':
        momentum = s.get('momentum', 0.1)
        eps = s.get('eps', 1e-5)
        if len(in_shape) == 3:
            m = nn.BatchNorm2d(in_shape[0], eps=eps, momentum=momentum)
        else:
            m = nn.BatchNorm1d(in_shape[0], eps=eps, momentum=momentum)
    elif t == 'layernorm':
        m = nn.LayerNorm(in_shape, eps=s.get('eps', 1e-5))
    elif t == 'instancenorm':
        m = nn.InstanceNorm2d(in_shape[0], eps=s.get('eps', 1e-5), affine=True)
    elif t == 'groupnorm':
        m = nn.GroupNorm(s.get('groups', 2), in_shape[0], eps=s.get('eps', 1e-5))
    elif t == 'dropout':
        m = nn.Dropout(s.get('rate', 0.5))
    else:
        raise ValueError('unknown layer type %r' % t)
    was_training = m.training
    m.eval()
    with torch.no_grad():
        out = m(torch.zeros([2] + in_shape))
    m.train(was_training)
    return m, list(out.shape[1:])


def build_sequential(spec):
    """nn.Sequential for a NetworkSpec: spec layer i is Sequential index i (state_dict names match)."""
    shape = list(spec['input']['shape'])
    modules = []
    for layer in spec['layers']:
        m, shape = build_module(layer, shape)
        modules.append(m)
    return nn.Sequential(*modules), shape


def one_layer_spec(in_shape, layer):
    return {'version': 1, 'input': {'shape': list(in_shape)}, 'layers': [layer]}


def perturb_params(model, scale=0.1):
    """Every parameter gets random noise, so biases and normalization gammas/betas matter."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))


def has_running_stats(model):
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


def warm_running_stats(model, batch, in_shape, loc=0.5, scale=1.5, passes=2):
    """A couple of train-mode forwards (no grad) so running_mean/var and num_batches_tracked are non-trivial."""
    if not has_running_stats(model):
        return
    model.train()
    with torch.no_grad():
        for _ in range(passes):
            model(loc + scale * torch.randn([batch] + list(in_shape)))


# ----------------------------------------------------------------------------------------------------
# a) layers.json

def layer_cases():
    C = []

    def add(name, in_shape, layer, modes=('train',), batch=2, x='normal', **extra):
        for mode in modes:
            C.append(dict(name=name, in_shape=in_shape, layer=layer, mode=mode, batch=batch, x=x, **extra))

    # conv2d
    add('conv2d 3->4 kernel 3 stride 2 padding 1', [3, 9, 9], {'type': 'conv2d', 'filters': 4, 'kernel': 3, 'stride': 2, 'padding': 1})
    add('conv2d kernel 3 padding same (odd kernel)', [2, 7, 7], {'type': 'conv2d', 'filters': 3, 'kernel': 3, 'padding': 'same'})
    add('conv2d kernel 4 padding same (even kernel)', [2, 7, 7], {'type': 'conv2d', 'filters': 3, 'kernel': 4, 'padding': 'same'})
    add('conv2d kernel 3 stride 2 padding same (asymmetric)', [2, 8, 8], {'type': 'conv2d', 'filters': 3, 'kernel': 3, 'stride': 2, 'padding': 'same'})
    add('conv2d kernel 4 stride 2 padding same (even kernel)', [2, 9, 9], {'type': 'conv2d', 'filters': 2, 'kernel': 4, 'stride': 2, 'padding': 'same'})
    add('conv2d kernel 3 stride 2 padding same on 7x9', [2, 7, 9], {'type': 'conv2d', 'filters': 3, 'kernel': 3, 'stride': 2, 'padding': 'same'})
    add('conv2d kernel 3 valid, no bias, 3->5 channels', [3, 6, 6], {'type': 'conv2d', 'filters': 5, 'kernel': 3, 'padding': 'valid', 'bias': False})
    add('conv2d kernel 1 (defaults)', [4, 5, 5], {'type': 'conv2d', 'filters': 2, 'kernel': 1}, batch=3)
    # pooling
    add('maxpool2d size 2 (defaults)', [2, 6, 6], {'type': 'maxpool2d'})
    add('maxpool2d size 3 stride 2 (overlapping)', [2, 9, 9], {'type': 'maxpool2d', 'size': 3, 'stride': 2})
    add('maxpool2d size 3 stride 2 padding 1', [2, 8, 8], {'type': 'maxpool2d', 'size': 3, 'stride': 2, 'padding': 1})
    add('maxpool2d size 2 stride 1', [1, 5, 7], {'type': 'maxpool2d', 'size': 2, 'stride': 1})
    add('avgpool2d size 2 (defaults)', [2, 6, 6], {'type': 'avgpool2d'})
    add('avgpool2d size 3 stride 2 (overlapping)', [2, 9, 9], {'type': 'avgpool2d', 'size': 3, 'stride': 2})
    add('avgpool2d size 3 stride 2 padding 1 (count_include_pad)', [2, 8, 8], {'type': 'avgpool2d', 'size': 3, 'stride': 2, 'padding': 1})
    add('avgpool2d size 2 padding 1 on odd input', [1, 5, 5], {'type': 'avgpool2d', 'size': 2, 'padding': 1})
    add('global_avgpool 3x5x5', [3, 5, 5], {'type': 'global_avgpool'})
    add('global_avgpool 4x3x4', [4, 3, 4], {'type': 'global_avgpool'}, batch=3)
    # dense / reshape
    add('dense 12->5', [12], {'type': 'dense', 'units': 5}, batch=3)
    add('dense 7->3 no bias', [7], {'type': 'dense', 'units': 3, 'bias': False})
    add('flatten 2x3x3', [2, 3, 3], {'type': 'flatten'})
    add('identity 2x3x3', [2, 3, 3], {'type': 'identity'})
    add('identity [6]', [6], {'type': 'identity'}, batch=3)
    # activations
    add('sigmoid', [2, 4, 4], {'type': 'sigmoid'}, x='wide')
    add('sigmoid [8]', [8], {'type': 'sigmoid'}, batch=3, x='wide')
    add('tanh', [2, 4, 4], {'type': 'tanh'}, x='wide')
    add('relu (with exact zeros)', [2, 4, 4], {'type': 'relu'}, x='zeros')
    add('relu [10]', [10], {'type': 'relu'}, batch=3)
    add('leaky_relu default slope', [2, 4, 4], {'type': 'leaky_relu'})
    add('leaky_relu slope 0.2', [2, 4, 4], {'type': 'leaky_relu', 'slope': 0.2})
    add('elu default alpha', [2, 4, 4], {'type': 'elu'}, x='wide')
    add('elu alpha 0.5', [2, 4, 4], {'type': 'elu', 'alpha': 0.5}, x='wide')
    add('swish', [2, 4, 4], {'type': 'swish'}, x='wide')
    add('swish [9]', [9], {'type': 'swish'}, batch=3, x='wide')
    add('mish', [2, 4, 4], {'type': 'mish'}, x='wide')
    add('mish [9]', [9], {'type': 'mish'}, batch=3, x='wide')
    add('softmax [10]', [10], {'type': 'softmax'}, batch=3, x='wide')
    add('softmax over channels 4x3x3', [4, 3, 3], {'type': 'softmax'}, x='wide')
    add('softmax large logits [6]', [6], {'type': 'softmax'}, batch=2, x='large')
    add('frelu 3x6x6', [3, 6, 6], {'type': 'frelu'}, modes=('train', 'eval'))
    add('frelu 2x5x5 batch 3', [2, 5, 5], {'type': 'frelu'}, batch=3)
    # normalization
    add('batchnorm 2d 3x5x5', [3, 5, 5], {'type': 'batchnorm'}, modes=('train', 'eval'), x='shifted')
    add('batchnorm 1d [6]', [6], {'type': 'batchnorm'}, modes=('train', 'eval'), batch=3, x='shifted')
    add('batchnorm 2d momentum 0.3 eps 1e-3', [2, 4, 4], {'type': 'batchnorm', 'momentum': 0.3, 'eps': 1e-3}, modes=('train', 'eval'), batch=3, x='shifted')
    add('layernorm [8]', [8], {'type': 'layernorm'}, batch=3, x='shifted')
    add('layernorm 2x4x4', [2, 4, 4], {'type': 'layernorm'}, modes=('train', 'eval'), x='shifted')
    add('layernorm eps 1e-3 [5]', [5], {'type': 'layernorm', 'eps': 1e-3}, batch=2, x='shifted')
    add('instancenorm 3x5x5', [3, 5, 5], {'type': 'instancenorm'}, modes=('train', 'eval'), x='shifted')
    add('instancenorm eps 1e-3 2x4x3', [2, 4, 3], {'type': 'instancenorm', 'eps': 1e-3}, batch=3, x='shifted')
    add('groupnorm groups 1', [3, 4, 4], {'type': 'groupnorm', 'groups': 1}, x='shifted')
    add('groupnorm groups 3 (6 channels)', [6, 3, 3], {'type': 'groupnorm', 'groups': 3}, modes=('train', 'eval'), x='shifted')
    add('groupnorm default groups 2', [4, 3, 3], {'type': 'groupnorm'}, batch=3, x='shifted')
    # dropout
    add('dropout rate 0', [2, 4, 4], {'type': 'dropout', 'rate': 0})
    add('dropout rate 0.5', [2, 4, 4], {'type': 'dropout', 'rate': 0.5}, modes=('eval',))
    add('dropout rate 0.5', [4, 9, 9], {'type': 'dropout', 'rate': 0.5}, batch=3, stochastic=True)
    add('dropout default rate', [20], {'type': 'dropout'}, batch=50, stochastic=True)
    return C


def make_input(kind, shape):
    if kind == 'normal':
        return torch.randn(shape)
    if kind == 'wide':
        return 2.5 * torch.randn(shape)
    if kind == 'large':
        return 40.0 * torch.randn(shape)
    if kind == 'shifted':
        return 0.7 + 1.8 * torch.randn(shape)
    if kind == 'zeros':
        x = torch.randn(shape)
        flat = x.view(-1)
        flat[::5] = 0.0
        return x
    raise ValueError(kind)


def make_layer_fixture(case):
    torch.manual_seed(seed_for(case['name'] + '|' + case['mode']))
    spec = one_layer_spec(case['in_shape'], case['layer'])
    model, out_shape = build_sequential(spec)
    batch = case['batch']
    x = make_input(case['x'], [batch] + case['in_shape'])
    entry = {
        'name': case['name'],
        'type': case['layer']['type'],
        'spec': spec,
        'mode': case['mode'],
        'batch': batch,
        'outputShape': out_shape,
    }
    if case.get('stochastic'):
        p = case['layer'].get('rate', 0.5)
        entry['stochastic'] = True
        entry['rate'] = p
        entry['scale'] = 1.0 / (1.0 - p)
        entry['state'] = enc_state(model)
        entry['x'] = enc(x)
        entry['note'] = ('dropout masks come from different RNGs: in train mode every output must be 0 or '
                         'x*scale, about `rate` of them 0, and dL/dx = R*scale where kept, 0 where dropped')
        return entry
    perturb_params(model)
    warm_running_stats(model, batch, case['in_shape'])
    entry['state'] = enc_state(model)
    model.train(case['mode'] == 'train')
    x = x.clone().requires_grad_(True)
    y = model(x)
    R = torch.randn(y.shape)
    loss = (y * R).sum()
    params = list(model.named_parameters())
    grads = torch.autograd.grad(loss, [x] + [p for _, p in params])
    entry['x'] = enc(x)
    entry['R'] = enc(R)
    entry['y'] = enc(y)
    entry['dx'] = enc(grads[0])
    entry['grads'] = {name: enc(g) for (name, _), g in zip(params, grads[1:])}
    if case['mode'] == 'train':
        entry['stateAfter'] = enc_state(model)
    return entry


# ----------------------------------------------------------------------------------------------------
# b) networks.json

LENET = {
    'version': 1,
    'name': 'lenet-like',
    'input': {'shape': [1, 12, 12]},
    'layers': [
        {'type': 'conv2d', 'filters': 4, 'kernel': 3},
        {'type': 'relu'},
        {'type': 'maxpool2d', 'size': 2},
        {'type': 'conv2d', 'filters': 6, 'kernel': 3, 'padding': 1},
        {'type': 'batchnorm'},
        {'type': 'relu'},
        {'type': 'avgpool2d', 'size': 2},
        {'type': 'flatten'},
        {'type': 'dense', 'units': 16},
        {'type': 'tanh'},
        {'type': 'dense', 'units': 10},
        {'type': 'softmax'},
    ],
}

FANCY = {
    'version': 1,
    'name': 'frelu-groupnorm-swish-mish-elu',
    'input': {'shape': [3, 8, 8]},
    'layers': [
        {'type': 'conv2d', 'filters': 4, 'kernel': 3, 'padding': 'same'},
        {'type': 'frelu'},
        {'type': 'conv2d', 'filters': 6, 'kernel': 3, 'stride': 2, 'padding': 'same'},
        {'type': 'groupnorm', 'groups': 3},
        {'type': 'swish'},
        {'type': 'conv2d', 'filters': 6, 'kernel': 2},
        {'type': 'mish'},
        {'type': 'conv2d', 'filters': 5, 'kernel': 1, 'bias': False},
        {'type': 'elu', 'alpha': 0.8},
        {'type': 'global_avgpool'},
        {'type': 'dense', 'units': 4},
    ],
}

MLP = {
    'version': 1,
    'name': 'mlp-layernorm',
    'input': {'shape': [12]},
    'layers': [
        {'type': 'dense', 'units': 16},
        {'type': 'layernorm'},
        {'type': 'leaky_relu', 'slope': 0.1},
        {'type': 'dropout', 'rate': 0},
        {'type': 'dense', 'units': 8},
        {'type': 'sigmoid'},
        {'type': 'dense', 'units': 3},
        {'type': 'identity'},
    ],
}


def forward_backward(model, x, mode):
    model.train(mode == 'train')
    x = x.clone().requires_grad_(True)
    y = model(x)
    R = torch.randn(y.shape)
    params = list(model.named_parameters())
    grads = torch.autograd.grad((y * R).sum(), [x] + [p for _, p in params])
    return {
        'mode': mode,
        'x': enc(x),
        'R': enc(R),
        'y': enc(y),
        'dx': enc(grads[0]),
        'grads': {name: enc(g) for (name, _), g in zip(params, grads[1:])},
        'stateAfter': enc_state(model),
    }


def decay_groups(model, weight_decay):
    """Weight decay on conv and dense weights only (docs/engine.md); everything else undecayed."""
    decay, other = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, SamePadConv2d)):
            if m.weight is not None:
                decay.append(m.weight)
    ids = {id(p) for p in decay}
    other = [p for p in model.parameters() if id(p) not in ids]
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': other, 'weight_decay': 0.0}]


def make_network_fixture(spec, batch, modes, train_steps=False):
    torch.manual_seed(seed_for('network|' + spec['name']))
    model, out_shape = build_sequential(spec)
    in_shape = spec['input']['shape']
    perturb_params(model)
    warm_running_stats(model, batch, in_shape)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    entry = {'name': spec['name'], 'spec': spec, 'batch': batch, 'outputShape': out_shape, 'state': enc_state(model)}
    x = torch.randn([batch] + in_shape)
    entry['passes'] = []
    for mode in modes:
        model.load_state_dict(initial)
        entry['passes'].append(forward_backward(model, x, mode))
    if train_steps:
        # Cross-entropy on the logits (the network minus its final softmax), train mode.
        model.load_state_dict(initial)
        model.train()
        labels = torch.randint(0, out_shape[0], (batch,))
        xr = x.clone().requires_grad_(True)
        logits = model[:-1](xr)
        loss = F.cross_entropy(logits, labels)
        dlogits, = torch.autograd.grad(loss, [logits], retain_graph=True)
        params = list(model.named_parameters())
        grads = torch.autograd.grad(loss, [xr] + [p for _, p in params])
        entry['crossEntropy'] = {
            'mode': 'train',
            'x': enc(x),
            'labels': labels.tolist(),
            'logits': enc(logits),
            'loss': float(loss),
            'dlogits': enc(dlogits),
            'dx': enc(grads[0]),
            'grads': {name: enc(g) for (name, _), g in zip(params, grads[1:])},
            'stateAfter': enc_state(model),
        }
        # Three SGD steps with momentum 0.9 and weight decay on conv/dense weights only.
        model.load_state_dict(initial)
        model.train()
        lr, momentum, wd = 0.05, 0.9, 0.01
        opt = torch.optim.SGD(decay_groups(model, wd), lr=lr, momentum=momentum)
        steps = []
        for _ in range(3):
            xs = torch.randn([batch] + in_shape)
            ls = torch.randint(0, out_shape[0], (batch,))
            opt.zero_grad()
            loss = F.cross_entropy(model[:-1](xs), ls)
            loss.backward()
            opt.step()
            steps.append({'x': enc(xs), 'labels': ls.tolist(), 'loss': float(loss), 'stateAfter': enc_state(model)})
        entry['training'] = {
            'optimizer': {'type': 'momentum', 'lr': lr, 'momentum': momentum, 'weightDecay': wd},
            'torch': 'torch.optim.SGD(momentum=0.9) with two param groups: conv/linear weights weight_decay=%g, everything else 0' % wd,
            'loss': 'cross_entropy on logits (forward with {logits: true}), mode train, one batch per step',
            'steps': steps,
        }
    return entry


# ----------------------------------------------------------------------------------------------------
# c) losses.json

def make_loss_fixtures():
    cases = []

    def case(name, loss_name, fn, y, targets):
        y = y.clone().requires_grad_(True)
        value = fn(y)
        dy, = torch.autograd.grad(value, [y])
        entry = {'name': name, 'loss': loss_name, 'y': enc(y), 'value': float(value), 'dy': enc(dy)}
        entry['targets'] = targets
        cases.append(entry)

    torch.manual_seed(seed_for('losses'))
    N, K = 4, 5
    y = 2.0 * torch.randn(N, K)
    labels = torch.randint(0, K, (N,))
    onehot = F.one_hot(labels, K).to(torch.float64)
    soft = torch.softmax(torch.randn(N, K), dim=1)
    t = torch.randn(N, K)
    ce = nn.CrossEntropyLoss()
    mse = nn.MSELoss()
    mse_sum = nn.MSELoss(reduction='sum')

    def idx(l):
        return {'kind': 'indices', 'labels': l.tolist()}

    def dense(v):
        return {'kind': 'dense', 'values': enc(v)}

    case('cross_entropy with class indices', 'cross_entropy', lambda y: ce(y, labels), y, idx(labels))
    case('cross_entropy with one-hot rows', 'cross_entropy', lambda y: ce(y, onehot), y, dense(onehot))
    case('cross_entropy with soft targets', 'cross_entropy', lambda y: ce(y, soft), y, dense(soft))
    big = 60.0 * torch.randn(N, K)
    case('cross_entropy with large logits (log-sum-exp)', 'cross_entropy', lambda y: ce(y, labels), big, idx(labels))
    case('mse with dense targets', 'mse', lambda y: mse(y, t), y, dense(t))
    case('mse with class indices (one-hot)', 'mse', lambda y: mse(y, onehot), y, idx(labels))
    case('sum_squared with dense targets', 'sum_squared', lambda y: 0.5 * mse_sum(y, t) / N, y, dense(t))
    case('sum_squared with class indices (one-hot)', 'sum_squared', lambda y: 0.5 * mse_sum(y, onehot) / N, y, idx(labels))
    y1 = torch.randn(3, 1)
    t1 = torch.randn(3, 1)
    case('mse single output', 'mse', lambda y: mse(y, t1), y1, dense(t1))
    return cases


# ----------------------------------------------------------------------------------------------------
# d) optimizers.json

OPT_PROBLEM_NOTE = (
    'theta = concat(w.flatten() row-major, b) (15 values); loss = sum((A @ theta - c)^2) with A [20,15], c [20]; '
    'gradient = 2 * A^T (A @ theta - c), split back into w [3,4] and b [3]. The gradient is computed at the '
    'parameters before each step; steps[i] holds w and b after step i+1. Weight decay (when > 0) applies to w '
    'only (two torch param groups), unless decayAll is true.'
)


def torch_optimizer(cfg, w, b):
    wd = cfg.get('weightDecay', 0.0)
    decay_all = cfg.get('decayAll', False)
    groups = [{'params': [w], 'weight_decay': wd}, {'params': [b], 'weight_decay': wd if decay_all else 0.0}]
    t = cfg['type']
    if t == 'sgd':
        return torch.optim.SGD(groups, lr=cfg['lr'])
    if t == 'momentum':
        return torch.optim.SGD(groups, lr=cfg['lr'], momentum=cfg.get('momentum', 0.9))
    if t == 'nesterov':
        return torch.optim.SGD(groups, lr=cfg['lr'], momentum=cfg.get('momentum', 0.9), nesterov=True)
    if t == 'adagrad':
        return torch.optim.Adagrad(groups, lr=cfg['lr'], eps=cfg.get('eps', 1e-10))
    if t == 'rmsprop':
        return torch.optim.RMSprop(groups, lr=cfg['lr'], alpha=cfg.get('alpha', 0.99), eps=cfg.get('eps', 1e-8))
    if t == 'adam':
        return torch.optim.Adam(groups, lr=cfg['lr'], betas=(cfg.get('beta1', 0.9), cfg.get('beta2', 0.999)), eps=cfg.get('eps', 1e-8))
    if t == 'adamw':
        return torch.optim.AdamW(groups, lr=cfg['lr'], betas=(cfg.get('beta1', 0.9), cfg.get('beta2', 0.999)), eps=cfg.get('eps', 1e-8))
    raise ValueError(t)


def make_optimizer_fixtures():
    torch.manual_seed(seed_for('optimizers'))
    A = torch.randn(20, 15) / math.sqrt(20)
    c = torch.randn(20)
    w0 = 0.5 * torch.randn(3, 4)
    b0 = 0.5 * torch.randn(3)

    configs = []
    for wd in (0.0, 0.1):
        suffix = 'weight decay %g' % wd
        configs += [
            ('sgd, ' + suffix, {'type': 'sgd', 'lr': 0.05, 'weightDecay': wd}),
            ('momentum, ' + suffix, {'type': 'momentum', 'lr': 0.02, 'momentum': 0.9, 'weightDecay': wd}),
            ('nesterov, ' + suffix, {'type': 'nesterov', 'lr': 0.02, 'momentum': 0.9, 'weightDecay': wd}),
            ('adagrad, ' + suffix, {'type': 'adagrad', 'lr': 0.1, 'eps': 1e-10, 'weightDecay': wd}),
            ('rmsprop, ' + suffix, {'type': 'rmsprop', 'lr': 0.01, 'alpha': 0.99, 'eps': 1e-8, 'weightDecay': wd}),
            ('adam, ' + suffix, {'type': 'adam', 'lr': 0.05, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': wd}),
        ]
    configs += [
        ('adamw, weight decay 0', {'type': 'adamw', 'lr': 0.05, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.0}),
        ('adamw, weight decay 0.1', {'type': 'adamw', 'lr': 0.05, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.1}),
        ('adam, custom betas and eps', {'type': 'adam', 'lr': 0.03, 'beta1': 0.8, 'beta2': 0.95, 'eps': 1e-6, 'weightDecay': 0.0}),
        ('momentum 0.5, weight decay 0.1 on everything (decayAll)', {'type': 'momentum', 'lr': 0.02, 'momentum': 0.5, 'weightDecay': 0.1, 'decayAll': True}),
    ]
    schedule_cases = [
        ('momentum with step schedule (stepSize 2, gamma 0.5), 3 steps per epoch',
         {'type': 'momentum', 'lr': 0.05, 'momentum': 0.9, 'weightDecay': 0.1},
         {'type': 'step', 'stepSize': 2, 'gamma': 0.5},
         lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)),
        ('adam with cosine schedule (4 epochs, minLr 0.001), 3 steps per epoch',
         {'type': 'adam', 'lr': 0.05, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.0},
         {'type': 'cosine', 'epochs': 4, 'minLr': 0.001},
         lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.001)),
    ]

    def run(cfg, make_sched=None, steps=12, steps_per_epoch=3):
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = torch_optimizer(cfg, w, b)
        sched = make_sched(opt) if make_sched else None
        out = []
        for i in range(steps):
            lr_used = opt.param_groups[0]['lr']
            opt.zero_grad()
            theta = torch.cat([w.reshape(-1), b])
            loss = ((A @ theta - c) ** 2).sum()
            loss.backward()
            opt.step()
            out.append({'lr': lr_used, 'loss': float(loss), 'w': enc(w), 'b': enc(b)})
            if sched is not None and (i + 1) % steps_per_epoch == 0:
                sched.step()
        return out

    cases = []
    for name, cfg in configs:
        cases.append({'name': name, 'config': cfg, 'steps': run(cfg)})
    for name, cfg, sched, make in schedule_cases:
        cases.append({'name': name, 'config': cfg, 'schedule': sched, 'stepsPerEpoch': 3, 'steps': run(cfg, make)})
    return {
        'problem': {'A': enc(A), 'c': enc(c), 'w0': enc(w0), 'b0': enc(b0), 'gradient': OPT_PROBLEM_NOTE,
                    'params': [{'name': 'w', 'decay': True}, {'name': 'b', 'decay': False}]},
        'cases': cases,
    }


# ----------------------------------------------------------------------------------------------------
# e) schedules.json

def lr_series(make_sched, epochs=25, base=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make_sched(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return lrs


def make_schedule_fixtures():
    import warnings
    warnings.filterwarnings('ignore')
    S = torch.optim.lr_scheduler
    base = 0.1
    E = 25
    cases = []

    def closed_cosine(e, T, eta_min):
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / T)) / 2

    def warm(e, epochs, start):
        return base * (start + (1 - start) * min(e, epochs) / epochs)

    step = lr_series(lambda o: S.StepLR(o, step_size=5, gamma=0.5), E, base)
    cases.append({'name': 'StepLR(step_size 5, gamma 0.5)', 'schedule': {'type': 'step', 'stepSize': 5, 'gamma': 0.5},
                  'lr': step, 'closedForm': [base * 0.5 ** (e // 5) for e in range(E)]})
    expo = lr_series(lambda o: S.ExponentialLR(o, gamma=0.9), E, base)
    cases.append({'name': 'ExponentialLR(gamma 0.9)', 'schedule': {'type': 'exponential', 'gamma': 0.9},
                  'lr': expo, 'closedForm': [base * 0.9 ** e for e in range(E)]})
    cos = lr_series(lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=1e-4), E, base)
    cases.append({'name': 'CosineAnnealingLR(T_max 20, eta_min 1e-4)', 'schedule': {'type': 'cosine', 'epochs': 20, 'minLr': 1e-4},
                  'lr': cos, 'closedForm': [closed_cosine(e, 20, 1e-4) for e in range(E)], 'compareEpochs': 21,
                  'note': 'torch values; compare epochs 0..20 (<= T_max). Beyond T_max torch keeps following the '
                          'periodic cosine (it rises again); docs/engine.md does not define epochs past `epochs`.'})
    cos0 = lr_series(lambda o: S.CosineAnnealingLR(o, T_max=10), E, base)
    cases.append({'name': 'CosineAnnealingLR(T_max 10, eta_min 0)', 'schedule': {'type': 'cosine', 'epochs': 10},
                  'lr': cos0, 'closedForm': [closed_cosine(e, 10, 0.0) for e in range(E)], 'compareEpochs': 11})
    lin = lr_series(lambda o: S.LinearLR(o, start_factor=0.1, total_iters=5), E, base)
    cases.append({'name': 'LinearLR(start_factor 0.1, total_iters 5) warm-up, then constant',
                  'schedule': {'type': 'constant'}, 'warmup': {'epochs': 5, 'startFactor': 0.1},
                  'lr': lin, 'closedForm': [warm(e, 5, 0.1) for e in range(E)]})

    documented = [warm(e, 5, 0.1) if e < 5 else closed_cosine(e - 5, 20, 1e-4) for e in range(E)]
    seq = lr_series(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                  S.CosineAnnealingLR(o, T_max=20, eta_min=1e-4)], milestones=[5]), E, base)
    worst = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(seq, documented))
    matches = worst < 1e-12
    entry = {'name': 'warm-up 5 epochs (LinearLR 0.1) then cosine (20 epochs, minLr 1e-4)',
             'schedule': {'type': 'cosine', 'epochs': 20, 'minLr': 1e-4}, 'warmup': {'epochs': 5, 'startFactor': 0.1},
             'closedForm': documented, 'sequentialLR': seq, 'sequentialLRMatches': matches,
             'sequentialLRWorstRelativeDifference': worst}
    if matches:
        entry['lr'] = seq
        entry['note'] = ('lr = SequentialLR([LinearLR(0.1, total_iters 5), CosineAnnealingLR(T_max 20, eta_min 1e-4)], '
                         'milestones [5]); it equals the documented rule (warm-up for epochs 0..4, then the cosine '
                         'from its own epoch 0 at epoch 5) to %.1e relative' % worst)
    else:
        entry['lr'] = documented
        entry['note'] = ('SequentialLR differs from the documented rule (worst relative difference %.3g; see '
                         '`sequentialLR`), so `lr` holds the documented rule: epochs 0..4 LinearLR warm-up '
                         'base*(0.1 + 0.9*e/5), then the cosine from its own epoch 0 at epoch 5' % worst)
    cases.append(entry)
    return {'baseLr': base, 'epochs': E, 'cases': cases,
            'note': 'lr[e] is the learning rate in effect during epoch e (read before scheduler.step() at the end of epoch e)'}


# ----------------------------------------------------------------------------------------------------
# f) initializers.json

def make_initializer_fixtures():
    cases = []
    shapes = [[64, 32, 3, 3], [256, 400]]
    inits = [
        ('xavier_uniform', 'nn.init.xavier_uniform_(w)', lambda w: nn.init.xavier_uniform_(w)),
        ('xavier_normal', 'nn.init.xavier_normal_(w)', lambda w: nn.init.xavier_normal_(w)),
        ('he_uniform', "nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')",
         lambda w: nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')),
        ('he_normal', "nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')",
         lambda w: nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='relu')),
        ('lecun_uniform', "nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='linear')",
         lambda w: nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='linear')),
        ('lecun_normal', "nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='linear')",
         lambda w: nn.init.kaiming_normal_(w, mode='fan_in', nonlinearity='linear')),
    ]
    for shape in shapes:
        for name, call, fn in inits:
            torch.manual_seed(seed_for('init|' + name + '|' + str(shape)))
            w = torch.empty(shape)
            fn(w)
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
            uniform = name.endswith('uniform')
            if name.startswith('xavier'):
                gain = nn.init.calculate_gain('linear')
                std = gain * math.sqrt(2.0 / (fan_in + fan_out))
            else:
                gain = nn.init.calculate_gain('relu' if name.startswith('he') else 'linear')
                std = gain / math.sqrt(fan_in)
            bound = math.sqrt(3.0) * std if uniform else None
            cases.append({
                'name': name, 'shape': shape, 'torchCall': call, 'fanIn': fan_in, 'fanOut': fan_out,
                'distribution': 'uniform' if uniform else 'normal',
                'std': std, 'bound': bound if uniform else 'Infinity',
                'sample': {'std': float(w.std(unbiased=False)), 'mean': float(w.mean()), 'maxAbs': float(w.abs().max()),
                           'count': w.numel()},
            })
    return {'note': 'std/bound are torch.nn.init formula values (bound = sqrt(3)*std for uniform; "Infinity" for normal); '
                    'sample are statistics of a tensor torch initialized', 'cases': cases}


# ----------------------------------------------------------------------------------------------------

def main():
    meta = {'torchVersion': TORCH_VERSION, 'generator': GENERATOR, 'dtype': 'float64'}
    summary = []

    layers = [make_layer_fixture(c) for c in layer_cases()]
    covered = sorted({c['type'] for c in layers})
    summary.append(write('layers.json', dict(meta, lossDefinition='L = sum(y * R); dx = dL/dx, grads = dL/dparam',
                                              cases=layers)) + ('%d cases, %d layer types' % (len(layers), len(covered)),))

    nets = [
        make_network_fixture(LENET, 3, ('train', 'eval'), train_steps=True),
        make_network_fixture(FANCY, 2, ('train', 'eval')),
        make_network_fixture(MLP, 3, ('train',)),
    ]
    summary.append(write('networks.json', dict(meta, lossDefinition='L = sum(y * R) for passes', cases=nets))
                   + ('%d networks' % len(nets),))

    losses = make_loss_fixtures()
    summary.append(write('losses.json', dict(meta, cases=losses)) + ('%d cases' % len(losses),))

    opt = make_optimizer_fixtures()
    summary.append(write('optimizers.json', dict(meta, **opt)) + ('%d cases' % len(opt['cases']),))

    sched = make_schedule_fixtures()
    summary.append(write('schedules.json', dict(meta, **sched)) + ('%d cases' % len(sched['cases']),))

    inits = make_initializer_fixtures()
    summary.append(write('initializers.json', dict(meta, **inits)) + ('%d cases' % len(inits['cases']),))

    total = 0
    print('torch %s -> %s' % (TORCH_VERSION, os.path.relpath(OUT_DIR, ROOT)))
    for path, size, what in summary:
        total += size
        print('  %-20s %9d bytes  %s' % (os.path.basename(path), size, what))
    print('  %-20s %9d bytes' % ('total', total))
    print('  layer types covered: %s' % ', '.join(covered))
    seq = [c for c in sched['cases'] if 'sequentialLRMatches' in c][0]
    print('  SequentialLR(warm-up, cosine) matches the documented rule: %s (worst rel. diff %.3g)'
          % (seq['sequentialLRMatches'], seq['sequentialLRWorstRelativeDifference']))


if __name__ == '__main__':
    main()
