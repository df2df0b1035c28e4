import fasttext

# train.txt: one example per line, "<text> __label__<name>", lines grouped by label:
#   some text __label__a
#   other text __label__a
#   yet another line __label__b
#   the forth line __label__b
#   the fifth line __label__c
#   last line __label__c
classifier = fasttext.supervised('train.txt', 'model', dim=100, lr=0.1, epoch=5)
result = classifier.test('test.txt')
print 'P@1:', result.precision
print 'R@1:', result.recall
