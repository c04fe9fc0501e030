"""Draw the README's picture, notebooks/images/worked-example-graph.svg: the worked example's neuron after backward().

    python notebooks/images/worked_example_graph.py

It is drawn as `python -m autograd` draws graph.svg: the same names as the console, and the
trained w and b as parameters.
"""

from pathlib import Path

from autograd import save_svg
from autograd.cli import worked_example

loss, leaves, _, _ = worked_example(w=0.5, x=1.5, b=0.1, y=1.0)
loss.backward()
path = save_svg(loss, Path(__file__).with_name("worked-example-graph.svg"), params=[leaves["w"], leaves["b"]])
print(path)
