import xlearn as xl

# factorization machine on the house-price files (log sale price, standardised and one-hot features)
fm_model = xl.create_fm()
fm_model.setTrain("./house_price_train.txt")
fm_model.setValidate("./house_price_test.txt")

param = {'task': 'reg', 'lr': 0.2, 'lambda': 0.002, 'metric': 'mae'}
fm_model.fit(param, './model.out')

fm_model.setTest("./house_price_test.txt")
fm_model.setSigmoid()                 # squash every prediction into (0, 1)
fm_model.predict("./model.out", "./output.txt")
