"""The issue's acceptance runs: whole training loops that must reach a known result."""

from autograd.data import make_blobs, make_moons
from autograd.nn import MLP, cross_entropy, hinge_loss, mse_loss
from autograd.optim import SGD, Adam


def argmax(numbers: list[float]) -> int:
    return max(range(len(numbers)), key=numbers.__getitem__)


def test_relu_mlp_separates_the_moons_within_100_steps_like_micrograds_demo():
    X, y = make_moons(100, noise=0.1, seed=3)
    labels = [2 * t - 1 for t in y]  # the SVM loss wants ±1
    model = MLP(2, [16, 16, 1], activation="relu", seed=3)
    optimizer = SGD(model.parameters(), lr=1.0, weight_decay=1e-4)  # L2 penalty ½·1e-4·Σw²
    accuracy, step = 0.0, 0
    for step in range(100):
        scores = [model(x) for x in X]
        accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels)) / len(labels)
        if accuracy == 1.0:
            break
        loss = hinge_loss(scores, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * step / 100  # micrograd's schedule
        optimizer.step()
    assert accuracy == 1.0
    assert step == 37  # deterministic: the seeds fix the data and the initial weights


def test_tanh_mlp_learns_xor_with_mse():
    X, y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0]
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    optimizer = SGD(model.parameters(), lr=0.2, momentum=0.9)
    for _ in range(200):
        loss = mse_loss([model(x) for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    predictions = [model(x).data for x in X]
    assert loss.data < 1e-3
    assert [round(p) for p in predictions] == [0, 1, 1, 0]


def test_softmax_classifier_learns_three_blobs_with_cross_entropy_and_adam():
    X, y = make_blobs(60, centers=[[0.0, 4.0], [-4.0, -2.0], [4.0, -2.0]], cluster_std=1.0, seed=0)
    model = MLP(2, [3], seed=0)  # one linear layer: three logits, softmax regression
    optimizer = Adam(model.parameters(), lr=0.1)
    for _ in range(60):
        loss = cross_entropy([model(x) for x in X], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    predicted = [argmax([logit.data for logit in model(x)]) for x in X]
    assert sum(p == t for p, t in zip(predicted, y)) == 60
    assert loss.data < 0.01
