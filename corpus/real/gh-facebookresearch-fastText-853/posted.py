import fasttext

fasttext_clf = fasttext.train_supervised(training_file, lr=0.05, verbose=True)
with open(test_file, "r") as inputf:
    for line in inputf.readlines():
        test_doc = line.split("__label__")[0]  # per line format is "text __label__$label$"
        clf_result = fasttext_clf.predict(test_doc)
        print(clf_result)
