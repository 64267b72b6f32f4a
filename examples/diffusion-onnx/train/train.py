"""Trains the small 2-D denoiser of the diffusion-onnx example and exports it to ONNX.

Run with Debian's PyTorch (CPU, a few minutes, seeded):

    /usr/bin/python3 examples/diffusion-onnx/train/train.py

Data: two moons (noise 0.06), standardized to zero mean and unit variance per coordinate and then
scaled to sigma_data = 0.5 (the statistics are written to model/data-stats.json, so the TypeScript
side can generate fresh reference samples from the same distribution). The network is an EDM-
preconditioned denoiser (Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based
Generative Models", Table 1):

    D(x, sigma) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma)),

with an MLP F (2 + 1 inputs, three hidden SiLU layers of 48 units; about 5,000 parameters),
trained on EDM's weighted loss with log-normal sigma (P_mean = -1.2, P_std = 1.2). The exported
graph takes x [batch, 2] and sigma [batch, 1] (float32) and returns the denoised x0 [batch, 2]:
for any schedule x_t = alpha x0 + sigma_t eps, call it with x_t / alpha and sigma_t / alpha.
"""

import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "model")
SIGMA_DATA = 0.5
NOISE = 0.06
HIDDEN = 48
STEPS = 12000
BATCH = 1024


def two_moons(n: int, g: torch.Generator) -> torch.Tensor:
    """sklearn's make_moons (shuffled by a coin per point) with Gaussian noise NOISE."""
    upper = torch.rand(n, generator=g) < 0.5
    t = torch.rand(n, generator=g) * math.pi
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    pts = torch.stack([x, y], dim=1)
    return pts + NOISE * torch.randn(n, 2, generator=g)


class Denoiser(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(3, HIDDEN),
            torch.nn.SiLU(),
            torch.nn.Linear(HIDDEN, HIDDEN),
            torch.nn.SiLU(),
            torch.nn.Linear(HIDDEN, HIDDEN),
            torch.nn.SiLU(),
            torch.nn.Linear(HIDDEN, 2),
        )

    def forward(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        s2 = sigma * sigma + SIGMA_DATA * SIGMA_DATA
        c_skip = SIGMA_DATA * SIGMA_DATA / s2
        c_out = sigma * SIGMA_DATA / torch.sqrt(s2)
        c_in = 1 / torch.sqrt(s2)
        c_noise = torch.log(sigma) / 4
        f = self.net(torch.cat([c_in * x, c_noise], dim=1))
        return c_skip * x + c_out * f


def main() -> None:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    raw = two_moons(200000, g)
    mean = raw.mean(0)
    std = raw.std(0)
    scale = SIGMA_DATA / std
    data = (raw - mean) * scale

    model = Denoiser()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, STEPS, eta_min=1e-5)
    for step in range(STEPS):
        x0 = data[torch.randint(0, data.shape[0], (BATCH,), generator=g)]
        sigma = torch.exp(-1.2 + 1.2 * torch.randn(BATCH, 1, generator=g))
        xt = x0 + sigma * torch.randn(BATCH, 2, generator=g)
        w = (sigma**2 + SIGMA_DATA**2) / (sigma * SIGMA_DATA) ** 2
        loss = (w * (model(xt, sigma) - x0) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 2000 == 0 or step == STEPS - 1:
            print(f"step {step:5d}  loss {loss.item():.4f}", flush=True)

    model.eval()
    os.makedirs(OUT, exist_ok=True)
    x = torch.zeros(4, 2)
    sigma = torch.ones(4, 1)
    torch.onnx.export(
        model,
        (x, sigma),
        os.path.join(OUT, "denoiser.onnx"),
        input_names=["x", "sigma"],
        output_names=["x0"],
        dynamic_axes={"x": {0: "batch"}, "sigma": {0: "batch"}, "x0": {0: "batch"}},
        opset_version=13,
    )
    # reference outputs, so the TypeScript test can check the ONNX graph runs as trained
    probe_x = torch.tensor([[0.0, 0.0], [0.5, -0.25], [-1.0, 1.0]])
    probe_s = torch.tensor([[0.01], [0.5], [10.0]])
    with torch.no_grad():
        probe = model(probe_x, probe_s)
    stats = {
        "dataset": "two moons (sklearn make_moons geometry), Gaussian noise 0.06",
        "noise": NOISE,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "sigmaData": SIGMA_DATA,
        "parameters": params,
        "trainingSteps": STEPS,
        "batch": BATCH,
        "finalLoss": loss.item(),
        "probe": {"x": probe_x.tolist(), "sigma": probe_s.flatten().tolist(), "x0": probe.tolist()},
        "torch": torch.__version__,
    }
    with open(os.path.join(OUT, "data-stats.json"), "w") as f:
        json.dump(stats, f, indent=2)
        f.write("\n")
    print(f"parameters {params}; wrote {OUT}/denoiser.onnx and data-stats.json")


if __name__ == "__main__":
    main()
