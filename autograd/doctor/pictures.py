"""The doctor's pictures, drawn with matplotlib (the ``notebooks`` extra), imported only when asked for.

* `plot_checkup`: each layer's activations and gradients ∂L/∂a as histograms, one curve per layer,
  as in Karpathy's "makemore part 3";
* `plot_monitor`: the loss, each layer's update-to-data ratio (log scale, with the 1e-3 guide line)
  and gradient norm, and the share of dead or saturated units, over the steps of a training run.

Dead or saturated neurons in the graph itself: ``draw_dot(loss, model=model, collapse="neuron",
mark_neurons=report.marks)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checkup import Checkup
    from .monitor import Monitor

__all__ = ["plot_checkup", "plot_monitor"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "the doctor's pictures need matplotlib, which is not installed. Install it with\n"
            '    pip install matplotlib\n(or the notebooks extra: pip install -e ".[notebooks]" from a checkout)'
        ) from None
    return plt


def _figure(plt: Any, rows: int, columns: int, size: tuple[float, float]) -> tuple[Any, Any]:
    figure, axes = plt.subplots(rows, columns, figsize=size, squeeze=False, layout="constrained")
    plt.close(figure)  # returned, shown once as the cell's result, not a second time by pyplot
    return figure, axes


def _log_scale_if_wide(ax: Any) -> None:
    """A log scale when the curves' positive values span more than a factor of 100 (a loss that explodes);
    zeros (a layer with no gradient) are left out of a log scale, negative values keep it linear."""
    numbers = [y for line in ax.get_lines() for y in line.get_ydata() if y == y]
    positive = [y for y in numbers if y > 0]
    if positive and min(numbers) >= 0 and max(positive) > 100 * min(positive):
        ax.set_yscale("log", nonpositive="mask")


def plot_checkup(report: Checkup) -> Any:
    """Histograms of each layer's activations (left) and gradients ∂L/∂a (right); returns the Figure.

    Layers with an activation only: a linear output's wide range would squeeze the others flat."""
    plt = _pyplot()
    figure, axes = _figure(plt, 1, 2, (11, 3.6))
    activations, gradients = axes[0]
    shown = [layer for layer in report.layers if layer.activation != "linear"] or report.layers
    for layer in shown:
        if not layer.activations:
            continue
        flat = f", {100 * layer.saturated_share:.0f} % flat" if layer.saturated_share is not None else ""
        dead = f", {100 * layer.dead_share:.0f} % dead" if layer.dead_share is not None else ""
        activations.hist(
            layer.activations,
            bins=40,
            histtype="step",
            linewidth=1.5,
            label=f"{layer.name} ({layer.activation}): mean {layer.activation_mean:+.2f}, "
            f"std {layer.activation_std:.2f}{flat}{dead}",
        )
        gradients.hist(
            layer.gradients,
            bins=40,
            histtype="step",
            linewidth=1.5,
            label=f"{layer.name}: mean {layer.gradient_mean:+.2g}, std {layer.gradient_std:.2g}",
        )
    activations.set_title("activations a, per hidden layer")
    activations.set_xlabel("a")
    gradients.set_title("gradients ∂L/∂a, per hidden layer")
    gradients.set_xlabel("∂L/∂a")
    for ax in (activations, gradients):
        ax.set_ylabel("count")
        ax.legend(fontsize=7, loc="upper left")
    return figure


def plot_monitor(monitor: Monitor) -> Any:
    """The loss, update-to-data ratio, gradient norm and dead/saturated share over the steps; returns the Figure."""
    plt = _pyplot()
    figure, axes = _figure(plt, 2, 2, (11, 6.4))
    steps = [record.step for record in monitor.steps]
    loss_ax, ratio_ax = axes[0]
    norm_ax, units_ax = axes[1]
    loss_ax.plot(steps, [record.loss for record in monitor.steps], color="black")
    loss_ax.set_title("loss")
    for name in monitor.layers:
        ratio = [(r.step, r.update_ratio[name]) for r in monitor.steps if r.update_ratio.get(name, 0) > 0]
        if ratio:
            ratio_ax.plot(*zip(*ratio), label=name)
        norm_ax.plot(steps, [r.grad_norm.get(name, float("nan")) for r in monitor.steps], label=name)
        shares = [(r.step, r.dead_share.get(name, r.saturated_share.get(name))) for r in monitor.steps]
        shares = [(step, share) for step, share in shares if share is not None]
        if shares:
            kind = "dead" if any(name in r.dead_share for r in monitor.steps) else "flat"
            units_ax.plot(*zip(*shares), label=f"{name} ({kind})")
    ratio_ax.axhline(1e-3, color="grey", linestyle="--", linewidth=1, label="1e-3, rule of thumb")
    ratio_ax.set_yscale("log")
    ratio_ax.set_title("update-to-data ratio of each step")
    norm_ax.set_title("gradient norm per layer")
    units_ax.set_title("share of dead ReLUs / saturated tanh·σ")
    units_ax.set_ylim(-0.02, 1.02)
    for ax in (loss_ax, norm_ax):
        _log_scale_if_wide(ax)
    for ax in (loss_ax, ratio_ax, norm_ax, units_ax):
        ax.set_xlabel("step")
    for ax in (ratio_ax, norm_ax, units_ax):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return figure
