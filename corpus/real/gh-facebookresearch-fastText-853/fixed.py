"""gh-facebookresearch-fastText-853 fixed as the answer says: train for many more epochs than the
default 5 (100 here), same learning rate and data.

Facts from https://github.com/facebookresearch/fastText/issues/853 (written anew): binary classification
of news articles with fasttext.train_supervised(training_file, lr=0.05) and otherwise default settings
(dim 100, 5 epochs, softmax loss); every test article gets __label__0 with probability about 0.5001 and
the training loss ends at 0.69 (log 2). The answer: add more epochs (the default is 5), at least 100.
fastText is not used here: a PyTorch model with its structure stands in (mean of word embeddings of
dimension 100, a linear softmax output initialised to zero, plain SGD one article at a time, lr 0.05
decaying linearly to 0). The articles are synthesised: 400 training and 200 held-out articles of 60 word
ids each, of which three come from 20 words typical of the label and the rest from 2000 shared words.
"""
import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(0)

n_labels, label_words, shared_words, length = 2, 20, 2000, 60
vocab = n_labels * label_words + shared_words


def make_article(label):
    typical = rng.integers(0, label_words, size=3) + label * label_words
    shared = rng.integers(0, shared_words, size=length - 3) + n_labels * label_words
    return rng.permutation(np.concatenate([typical, shared]))


labels = rng.integers(0, n_labels, size=600)
articles = np.stack([make_article(c) for c in labels])
train, test = np.arange(400), np.arange(400, 600)

embedding = torch.nn.EmbeddingBag(vocab, 100, mode="mean")
torch.nn.init.uniform_(embedding.weight, -1.0 / 100, 1.0 / 100)
output = torch.nn.Linear(100, n_labels, bias=False)
torch.nn.init.zeros_(output.weight)
optimizer = torch.optim.SGD(list(embedding.parameters()) + list(output.parameters()), lr=0.05)

epochs, lr0 = 100, 0.05  # the fix: 100 epochs instead of the default 5
total, seen = epochs * len(train), 0
for epoch in range(epochs):
    for i in rng.permutation(train):
        for group in optimizer.param_groups:
            group["lr"] = lr0 * (1.0 - seen / total)
        words = torch.tensor(articles[i]).unsqueeze(0)
        loss = torch.nn.functional.cross_entropy(output(embedding(words)), torch.tensor([labels[i]]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += 1
print("last loss", loss.item())

with torch.no_grad():
    probabilities = torch.softmax(output(embedding(torch.tensor(articles[test]))), dim=1).numpy()
accuracy = float(np.mean(probabilities.argmax(axis=1) == labels[test]))
print(f"HELDOUT accuracy={accuracy:.4f}")
