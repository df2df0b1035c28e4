# FARM 0.4 text regression run (doc_regression example style); labels are float scores.
import torch
from farm.data_handler.data_silo import DataSilo
from farm.data_handler.processor import RegressionProcessor
from farm.modeling.adaptive_model import AdaptiveModel
from farm.modeling.language_model import LanguageModel
from farm.modeling.optimization import initialize_optimizer
from farm.modeling.prediction_head import RegressionHead
from farm.modeling.tokenization import Tokenizer
from farm.train import Trainer
from farm.utils import initialize_device_settings

device, n_gpu = initialize_device_settings(use_cuda=True)
tokenizer = Tokenizer.load(pretrained_model_name_or_path="bert-base-uncased")
processor = RegressionProcessor(tokenizer=tokenizer, max_seq_len=128, data_dir="data/scores",
                                label_column_name="label", label_name="regression_label")
data_silo = DataSilo(processor=processor, batch_size=32)   # labels become torch.long here

language_model = LanguageModel.load("bert-base-uncased")
prediction_head = RegressionHead(layer_dims=[768, 1])
model = AdaptiveModel(language_model=language_model, prediction_heads=[prediction_head],
                      embeds_dropout_prob=0.1, lm_output_types=["per_sequence_continuous"], device=device)
model, optimizer, lr_schedule = initialize_optimizer(model=model, learning_rate=2e-5, device=device,
                                                     n_batches=len(data_silo.loaders["train"]), n_epochs=2)
trainer = Trainer(model=model, optimizer=optimizer, data_silo=data_silo, epochs=2, n_gpu=n_gpu,
                  lr_schedule=lr_schedule, evaluate_every=500, device=device)
trainer.train()
