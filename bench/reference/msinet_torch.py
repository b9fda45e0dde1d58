"""An independent PyTorch implementation of MSInet (METHOD.md section 1), to cross-check this
project against the framework the reference code uses. It is a development tool: neither the
tests nor CI run it. Needs Debian's python3-torch, python3-skimage and python3-sklearn
(`apt-get install python3-torch python3-skimage python3-sklearn`, then run with /usr/bin/python3).

  seeds mode: train from PyTorch's own initialisation for each seed and record, per run, the
  iterations and the ARI / NMI of both final-labels rules ('stop': the argmax of the iteration
  that met minLabels; 'forward': one more forward pass after the last step, as the reference).
    /usr/bin/python3 bench/reference/msinet_torch.py seeds --seeds 0-19 [--grid centre|reference] [--out F.json]

  time mode: seconds per training iteration (after 3 warm-up iterations), to set beside the
  WebGPU engine's `msinet iteration` row of `npm run bench`.
    /usr/bin/python3 bench/reference/msinet_torch.py time [--iters 20] [--threads 2]

  compare mode: start from the weights `bench/reference/dump_init.ts` wrote (this project's
  initialisation for one seed), dropout off so both sides are deterministic, and print the loss
  and label count per iteration, to set beside the same run of the WebGPU engine.
    /usr/bin/python3 bench/reference/msinet_torch.py compare --weights DIR [--iters 15]

--grid: the patch loss's stride-2 grid. 'centre' (default) samples rows and columns 0, 2, 4 ...
as METHOD.md describes. 'reference' reproduces what the reference code computes: it unfolds 5x5
windows (padding 2, stride 2) and takes window element 5 // 2 = 2, the middle of the window's
top row rather than its centre (12), so its grid is rows -2, 0, ..., H-4 (the first grid row is
zero padding, cosine 0 to everything) and columns 0, 2, ....
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from skimage import segmentation
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/data/msinet-simulated')
H = W = 70
Q = 100


def load_benchmark():
    x = np.load(os.path.join(DATA, 'simulated.npy'))
    scaled = np.zeros_like(x)
    for c in range(x.shape[1]):  # per-feature min-max, in the input's float32
        lo, hi = x[:, c].min(), x[:, c].max()
        scaled[:, c] = (x[:, c] - lo) / (hi - lo)
    with open(os.path.join(DATA, 'groundtruth.txt')) as f:
        truth = np.array([int(line.strip().strip('"')) for line in f if line.strip()])
    return scaled, truth


class Net(nn.Module):
    def __init__(self, cin, dropout):
        super().__init__()
        blocks, c = [], cin
        for _ in range(6):
            blocks += [nn.Conv2d(c, 100, 3, padding=1), nn.BatchNorm2d(100), nn.ReLU()]
            c = 100
        self.body = nn.Sequential(*blocks)
        self.drop = nn.Dropout2d(dropout)
        self.head = nn.Sequential(nn.Conv2d(100, Q, 1), nn.BatchNorm2d(Q))

    def forward(self, x):
        return self.head(self.drop(self.body(x)))


def grid_vectors(r, grid):
    """r: [Q, H, W] -> the stride-2 grid's response vectors [n, Q]."""
    if grid == 'centre':
        v = r[:, ::2, ::2]
    else:
        padded = F.pad(r, (2, 2, 2, 2))
        rows = (H + 4 - 5) // 2 + 1
        cols = (W + 4 - 5) // 2 + 1
        v = padded[:, 0:2 * rows - 1:2, 2:2 + 2 * cols - 1:2]
    return v.reshape(r.shape[0], -1).t()


def patch_loss(r, grid, threshold=0.55):
    # The cosine matrix as one Gram product; the reference builds it pair by pair, same values.
    v = grid_vectors(r, grid)
    u = v / v.norm(dim=1, keepdim=True).clamp_min(1e-8)
    s = u @ u.t()
    return (1 - s[s > threshold]).mean() + F.relu(s[s < threshold]).mean()


def refine(labels, superpixels):
    out = labels.copy()
    for sp in np.unique(superpixels):
        idx = np.nonzero(superpixels == sp)[0]
        values, counts = np.unique(labels[idx], return_counts=True)
        out[idx] = values[np.argmax(counts)]  # first maximum = the smallest label on ties
    return out


def train(model, data, superpixels, grid, max_iter=300, min_labels=4, on_iter=None):
    opt = torch.optim.SGD(model.parameters(), lr=0.04, momentum=0.9)
    ce = nn.CrossEntropyLoss()
    model.train()
    for it in range(max_iter):
        opt.zero_grad()
        r = model(data)[0]
        flat = r.permute(1, 2, 0).reshape(-1, Q)
        labels = flat.argmax(1).numpy()
        n_labels = len(np.unique(labels))
        hw = flat.reshape(H, W, Q)
        cont = (hw[1:] - hw[:-1]).abs().mean() + (hw[:, 1:] - hw[:, :-1]).abs().mean()
        target = torch.from_numpy(refine(labels, superpixels))
        loss = 0.5 * ce(flat, target) + 2 * patch_loss(r, grid) + 2 * cont
        loss.backward()
        opt.step()
        if on_iter:
            on_iter(it + 1, n_labels, loss.item())
        if n_labels <= min_labels:
            break
    with torch.no_grad():
        forward = model(data)[0].permute(1, 2, 0).reshape(-1, Q).argmax(1).numpy()
    return it + 1, labels, forward


def image_tensor(scaled):
    return torch.from_numpy(np.ascontiguousarray(scaled.reshape(H, W, -1).transpose(2, 0, 1)[None] / np.float32(255)))


def superpixels_of(scaled):
    return segmentation.felzenszwalb(scaled.reshape(H, W, -1), scale=3, min_size=9, sigma=0.8).reshape(-1)


def seeds_mode(args):
    scaled, truth = load_benchmark()
    data, sp = image_tensor(scaled), superpixels_of(scaled)
    lo, hi = (int(v) for v in args.seeds.split('-'))
    rows = []
    for seed in range(lo, hi + 1):
        torch.manual_seed(seed)
        t0 = time.time()
        iters, stop, forward = train(Net(scaled.shape[1], 0.1), data, sp, args.grid)
        row = {'seed': seed, 'iterations': iters, 'seconds': round(time.time() - t0, 1)}
        for name, lab in (('stop', stop), ('forward', forward)):
            row[name] = {'ari': adjusted_rand_score(truth, lab), 'nmi': normalized_mutual_info_score(truth, lab), 'labels': int(len(np.unique(lab)))}
        rows.append(row)
        print(f"seed {seed}: {iters} it, stop ARI {row['stop']['ari']:.4f} NMI {row['stop']['nmi']:.4f} ({row['stop']['labels']} labels), "
              f"forward ARI {row['forward']['ari']:.4f} NMI {row['forward']['nmi']:.4f} ({row['forward']['labels']} labels)", flush=True)
    summary = {rule: {m: float(np.median([r[rule][m] for r in rows])) for m in ('ari', 'nmi')} for rule in ('stop', 'forward')}
    print('median', json.dumps(summary))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump({'torch': torch.__version__, 'grid': args.grid, 'threads': torch.get_num_threads(), 'rows': rows, 'median': summary}, f, indent=2)
            f.write('\n')


def time_mode(args):
    scaled, _ = load_benchmark()
    data, sp = image_tensor(scaled), superpixels_of(scaled)
    torch.manual_seed(0)
    stamps = []
    # min_labels 0: never stops early, so every run times the same number of iterations.
    train(Net(scaled.shape[1], 0.1), data, sp, args.grid, max_iter=args.iters + 3, min_labels=0, on_iter=lambda *_: stamps.append(time.perf_counter()))
    per = (stamps[-1] - stamps[2]) / (len(stamps) - 3)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'iterations': len(stamps) - 3, 'secondsPerIteration': round(per, 4)}))


def compare_mode(args):
    scaled, _ = load_benchmark()
    data, sp = image_tensor(scaled), superpixels_of(scaled)
    model = Net(scaled.shape[1], 0.0)
    w = lambda name: torch.from_numpy(np.load(os.path.join(args.weights, f'{name}.npy')))
    with torch.no_grad():
        for i in range(6):
            conv, bn = model.body[3 * i], model.body[3 * i + 1]
            k = w(f'conv{i}.w')  # this project's layout: [(ky * 3 + kx) * Cin + ci, Cout]
            cin = k.shape[0] // 9
            conv.weight.copy_(k.reshape(3, 3, cin, 100).permute(3, 2, 0, 1))
            conv.bias.copy_(w(f'conv{i}.b'))
            bn.weight.copy_(w(f'conv{i}.bn.gamma'))
            bn.bias.copy_(w(f'conv{i}.bn.beta'))
        model.head[0].weight.copy_(w('head.w').t().reshape(Q, 100, 1, 1))
        model.head[0].bias.copy_(w('head.b'))
        model.head[1].weight.copy_(w('headBn.gamma'))
        model.head[1].bias.copy_(w('headBn.beta'))
    train(model, data, sp, args.grid, max_iter=args.iters, min_labels=0,
          on_iter=lambda it, n, loss: print(f'iteration {it}: {n} labels, loss {loss:.6f}', flush=True))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('mode', choices=['seeds', 'compare', 'time'])
    p.add_argument('--seeds', default='0-19')
    p.add_argument('--grid', choices=['centre', 'reference'], default='centre')
    p.add_argument('--out')
    p.add_argument('--weights')
    p.add_argument('--iters', type=int, default=15)
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if not os.path.exists(os.path.join(DATA, 'simulated.npy')):
        sys.exit(f'{DATA} not found: this tool needs the shared MSInet benchmark data')
    if args.mode == 'compare' and not args.weights:
        sys.exit('compare mode needs --weights DIR (written by bench/reference/dump_init.ts)')
    {'seeds': seeds_mode, 'compare': compare_mode, 'time': time_mode}[args.mode](args)


if __name__ == '__main__':
    main()
