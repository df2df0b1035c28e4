"""gh-facebookresearch-fastText-74 fixed as the maintainer says: shuffle the training lines, so that SGD
does not see all the examples of one label, then all of the next.

Facts from https://github.com/facebookresearch/fastText/issues/74 (written anew): supervised fastText on a
training file whose lines are clustered by label (lines of __label__a, then __label__b, then __label__c)
gives very low precision and recall; with the lines shuffled the scores are much higher. The maintainer's
answer: fastText learns by stochastic gradient descent over the examples in file order, so the training
data must be shuffled. fastText is not used here: a PyTorch model with the same structure stands in
(mean of word embeddings, dim 100, one linear softmax layer, plain SGD one line at a time, lr 0.1
decaying linearly to 0 over 5 epochs, fastText's supervised defaults). The text is synthesised: three
labels, 600 training lines each (eight words: one of the label's own words and seven shared words),
and 300 held-out lines in random order.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

n_labels, words_per_label, shared_words = 3, 20, 100
vocab = n_labels * words_per_label + shared_words


def make_line(label):
    # one word of the line's label and seven shared words
    own = rng.integers(0, words_per_label, size=1) + label * words_per_label
    shared = rng.integers(0, shared_words, size=7) + n_labels * words_per_label
    return np.concatenate([own, shared])


train_labels = np.repeat(np.arange(n_labels), 600)            # the file as posted: clustered by label
train_lines = np.stack([make_line(c) for c in train_labels])
order = rng.permutation(len(train_lines))                     # the fix: shuffle the training file
train_labels, train_lines = train_labels[order], train_lines[order]
test_labels = rng.integers(0, n_labels, size=300)
test_lines = np.stack([make_line(c) for c in test_labels])

embedding = torch.nn.EmbeddingBag(vocab, 100, mode="mean")
torch.nn.init.uniform_(embedding.weight, -1.0 / 100, 1.0 / 100)
output = torch.nn.Linear(100, n_labels, bias=False)
torch.nn.init.zeros_(output.weight)
params = list(embedding.parameters()) + list(output.parameters())
optimizer = torch.optim.SGD(params, lr=0.1)

epochs, lr0 = 5, 0.1
total, seen = epochs * len(train_lines), 0
for epoch in range(epochs):
    for i in range(len(train_lines)):                           # file order, now shuffled
        for group in optimizer.param_groups:
            group["lr"] = lr0 * (1.0 - seen / total)
        words = torch.tensor(train_lines[i]).unsqueeze(0)
        loss = torch.nn.functional.cross_entropy(output(embedding(words)), torch.tensor([train_labels[i]]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += 1

with torch.no_grad():
    predicted = output(embedding(torch.tensor(test_lines))).argmax(dim=1).numpy()
accuracy = float(np.mean(predicted == test_labels))
print(f"HELDOUT accuracy={accuracy:.4f}")
