import torch
import torch.nn as nn

class Trainer(object):
    def __init__(self, model, loss_type='BCEWithLogitsLoss'):
        self.model = model
        self.loss_type = loss_type
        if loss_type == 'BCEWithLogitsLoss':
            self.criterion = nn.BCEWithLogitsLoss(reduction='none') # weighted loss for imbalanced dataset
        elif loss_type == 'CrossEntropyLoss':
            self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(self, images, labels):
        out = self.model(images.cuda())
        if self.loss_type == 'BCEWithLogitsLoss':
            labels = torch.as_tensor(labels, dtype=torch.float32)
            weight = torch.tensor([0.84, 0.16]) # how to decide on this weights?
            weight_ = weight[labels.data.view(-1).long()].view_as(labels)
            m = nn.Sigmoid()
            with torch.cuda.amp.autocast():
                loss = self.criterion(m(out[:,1]-out[:,0]), labels.cuda())
                loss_class_weighted = loss * weight_.cuda()
                loss_class_weighted = loss_class_weighted.mean()
                loss = loss_class_weighted
        elif self.loss_type == 'CrossEntropyLoss':
            labels = torch.as_tensor(labels)
            with torch.cuda.amp.autocast():
                loss = self.criterion(out, labels.cuda())
        pred_labels = out.data.max(1)[1]
        labels = labels.int()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return pred_labels, labels, loss
