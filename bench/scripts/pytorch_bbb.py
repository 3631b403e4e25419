#!/usr/bin/env python3
"""PyTorch Bayes-by-backprop on the benchmark's workloads, for the comparison table in docs/performance.md.

Not part of the build: run it with any Python that has PyTorch (Debian: apt-get install python3-torch
libopenblas0-pthread, then /usr/bin/python3 bench/scripts/pytorch_bbb.py; without OpenBLAS, Debian's torch falls
back to the reference BLAS and the large network's step takes 85 ms instead of 22 ms). It times what `java -jar examples/target/dl4j-bayes-examples.jar
bench --rows 10,11` times on the JVM side:

  notebook  the notebook's 2-5-5-1 tanh network (no biases, N(0, 1) priors, Bernoulli likelihood, Adam 0.01) on its
            500 training points (examples/src/main/resources/moons_sklearn_seed0.csv): whole training loops of
            10,000 and 50,000 iterations, full batch and minibatches of 50, timed from the loop's start to its end;
  large     784-400-400-10 ReLU with softmax cross-entropy, batch 128, one shared weight draw per step (the
            reparameterization), against the same network without priors: median step over rounds of steps.
"""
import argparse
import csv
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F


class BayesLinear(torch.nn.Module):
    """Mean-field Gaussian weights, sigma = softplus(rho), one draw per forward pass, N(0, prior_std^2) prior."""

    def __init__(self, n_in, n_out, bias, init_mu_std, prior_std=1.0):
        super().__init__()
        self.w_mu = torch.nn.Parameter(torch.randn(n_in, n_out) * init_mu_std)
        self.w_rho = torch.nn.Parameter(torch.full((n_in, n_out), math.log(math.expm1(0.1))))
        self.bias = bias
        if bias:
            self.b_mu = torch.nn.Parameter(torch.zeros(n_out))
            self.b_rho = torch.nn.Parameter(torch.full((n_out,), math.log(math.expm1(0.1))))
        self.prior_std = prior_std

    def forward(self, x):
        w_sigma = F.softplus(self.w_rho)
        w = self.w_mu + w_sigma * torch.randn_like(w_sigma)
        z = x @ w
        kl = self._kl(self.w_mu, w_sigma)
        if self.bias:
            b_sigma = F.softplus(self.b_rho)
            z = z + self.b_mu + b_sigma * torch.randn_like(b_sigma)
            kl = kl + self._kl(self.b_mu, b_sigma)
        return z, kl

    def _kl(self, mu, sigma):
        s = self.prior_std
        return (torch.log(s / sigma) + (sigma ** 2 + mu ** 2) / (2 * s ** 2) - 0.5).sum()


def notebook_data(path):
    xs, ys = [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["split"] == "train":
                xs.append([float(row["x1"]), float(row["x2"])])
                ys.append([float(row["y"])])
    return torch.tensor(xs), torch.tensor(ys)


def notebook_fit(x, y, iterations, batch, seed):
    torch.manual_seed(seed)
    layers = torch.nn.ModuleList([BayesLinear(2, 5, False, 1.0), BayesLinear(5, 5, False, 1.0),
                                  BayesLinear(5, 1, False, 1.0)])
    opt = torch.optim.Adam(layers.parameters(), lr=0.01)
    n = x.shape[0]
    batches = [(x[i:i + batch], y[i:i + batch]) for i in range(0, n, batch)] if batch else [(x, y)]
    start = time.perf_counter()
    for it in range(iterations):
        xb, yb = batches[it % len(batches)]
        h, kl = xb, 0.0
        for i, layer in enumerate(layers):
            h, k = layer(h)
            kl = kl + k
            if i < len(layers) - 1:
                h = torch.tanh(h)
        nll = F.binary_cross_entropy_with_logits(h, yb, reduction="mean")
        loss = nll + kl / n                      # negative ELBO per example
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    return seconds, -n * loss.item()


def large_steps(bayesian, steps, rounds, seed):
    torch.manual_seed(seed)
    x = torch.rand(128, 784)
    y = torch.arange(128) % 10
    if bayesian:
        layers = torch.nn.ModuleList([BayesLinear(784, 400, True, 0.05), BayesLinear(400, 400, True, 0.05),
                                      BayesLinear(400, 10, True, 0.05)])
    else:
        layers = torch.nn.ModuleList([torch.nn.Linear(784, 400), torch.nn.Linear(400, 400), torch.nn.Linear(400, 10)])
    opt = torch.optim.Adam(layers.parameters(), lr=1e-3)

    def step():
        h, kl = x, 0.0
        for i, layer in enumerate(layers):
            if bayesian:
                h, k = layer(h)
                kl = kl + k
            else:
                h = layer(h)
            if i < len(layers) - 1:
                h = torch.relu(h)
        loss = F.cross_entropy(h, y) + (kl / 60000 if bayesian else 0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()

    start = time.perf_counter()
    for _ in range(steps):                        # warm-up, timed as the first steps of the process
        step()
    first = 1000 * (time.perf_counter() - start) / steps
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        times.append(1000 * (time.perf_counter() - start) / steps)
    return statistics.median(times), min(times), max(times), first


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.path.join(here, "..", "src", "main", "resources", "moons_sklearn_seed0.csv"))
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--skip-50k", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    x, y = notebook_data(a.data)
    runs = [(10_000, 0), (10_000, 50)] + ([] if a.skip_50k else [(50_000, 0), (50_000, 50)])
    for iterations, batch in runs:
        seconds, elbo = notebook_fit(x, y, iterations, batch, 0)
        print(f"notebook BBB, {iterations} iterations, {'full batch' if not batch else f'batch {batch}'}: "
              f"{seconds:.2f} s ({1000 * seconds / iterations:.3f} ms per iteration), last ELBO estimate {elbo:.1f}")
    for bayesian in (True, False):
        med, lo, hi, first = large_steps(bayesian, a.steps, a.rounds, 0)
        print(f"784-400-400-10 ReLU, batch 128, {'BBB' if bayesian else 'plain'} step: median {med:.2f} ms "
              f"(min {lo:.2f}, max {hi:.2f}); first {a.steps} steps {first:.2f} ms per step")


if __name__ == "__main__":
    main()
