"""`doctor lint` reads fastText's supervised classifier (static/interp_fasttext.py): its settings, the
training file beside the script (text only) and what a comment says about its order."""
from __future__ import annotations

import random

from nnfit.doctor import lint
from nnfit.doctor.static import analyse
from nnfit.doctor.static.interp_fasttext import label_order


def codes(path):
    return {f.code for f in lint.lint_file(path)}


def write_lines(path, grouped: bool, per_label: int = 50, labels="xyz"):
    rng = random.Random(3)
    lines = [f"tok{rng.randint(0, 40)} tok{rng.randint(0, 40)} tok{rng.randint(0, 40)} __label__{lab}"
             for lab in labels for _ in range(per_label)]
    if not grouped:
        rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n")


def script(tmp_path, body: str):
    p = tmp_path / "train.py"
    p.write_text(body)
    return p


def test_label_order_reads_grouped_and_shuffled_lines():
    assert label_order(["a"] * 30 + ["b"] * 30 + ["c"] * 30) > 0.9
    rng = random.Random(0)
    mixed = ["a", "b", "c"] * 30
    rng.shuffle(mixed)
    assert label_order(mixed) < 0.3


def test_train_supervised_on_a_file_grouped_by_label_is_not_shuffled(tmp_path):
    write_lines(tmp_path / "reviews.txt", grouped=True)
    p = script(tmp_path, 'import fasttext\nclf = fasttext.train_supervised(input="reviews.txt", epoch=20)\n'
                         'print(clf.test("reviews.txt"))\n')
    run = analyse(p.read_text(), str(p))
    assert run.config.shuffle is False and run.config.epochs == 20
    assert run.data.n_samples == 150 and len(run.data.class_counts) == 3
    assert run.layers[-1].units == 3 and run.layers[-1].activation == "softmax"
    assert "NF129" in codes(p)


def test_shuffled_file_and_usual_fasttext_rates_give_no_finding(tmp_path):
    write_lines(tmp_path / "reviews.txt", grouped=False)
    # lr 1.0 and one update per line are fastText's usual setting, not a too-high rate or a too-small batch
    p = script(tmp_path, 'import fasttext as ft\nclf = ft.train_supervised("reviews.txt", lr=1.0, epoch=25)\n')
    assert codes(p) == set()


def test_old_supervised_api_with_an_ordering_comment_and_no_file(tmp_path):
    p = script(tmp_path, "import fasttext\n# data.txt: one line per example, lines sorted by label\n"
                         "model = fasttext.supervised('data.txt', 'model', lr=0.1)\n")
    run = analyse(p.read_text(), str(p))
    assert run.config.epochs == 5 and run.config.optimizer.learning_rate == 0.1    # fastText's default epoch
    assert "NF129" in codes(p)
    # without the file the labels' count is unknown: no output layer of a guessed width
    assert not [la for la in run.layers if la.kind == "dense"]


def test_a_comment_that_says_shuffled_and_no_file_gives_nothing(tmp_path):
    p = script(tmp_path, "from fasttext import train_supervised\n# train.txt: lines shuffled\n"
                         "model = train_supervised('train.txt')\n")
    assert codes(p) == set()


def test_few_lines_for_few_epochs_are_too_few_updates(tmp_path):
    write_lines(tmp_path / "small.txt", grouped=False, per_label=10, labels="ab")
    p = script(tmp_path, 'import fasttext\nclf = fasttext.train_supervised(input="small.txt", epoch=5)\n')
    run = analyse(p.read_text(), str(p))
    assert run.n_updates_planned == 100
    assert "NF102" in codes(p)


def test_an_unrelated_supervised_function_is_not_fasttext(tmp_path):
    p = script(tmp_path, "def supervised(path, out):\n    return path\n\nm = supervised('data.txt', 'model')\n")
    run = analyse(p.read_text(), str(p))
    assert run.config.shuffle is None and run.config.optimizer is None
