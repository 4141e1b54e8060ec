"""General discrimination: k-NN accuracy of features on unseen classes."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS

__all__ = ['GeneralDiscriminationMetric', 'knn_top1']


def knn_top1(feats: torch.Tensor, labels: torch.Tensor, k: int = 5) -> float:
    """Leave-one-out k-NN top-1 accuracy (%) with cosine similarity.

    Each sample is classified by a majority vote of its ``k`` most similar
    other samples (ties go to the class of the nearest one).

    Args:
        feats (Tensor): Features, shape ``(N, D)``.
        labels (Tensor): Integer labels, shape ``(N,)``.
        k (int): Neighbours. Defaults to 5.

    Returns:
        float: Accuracy in percent.
    """
    n = feats.shape[0]
    if n < 2:
        raise ValueError(f'k-NN needs at least 2 samples, but got {n}')
    k = min(k, n - 1)
    f = F.normalize(feats.float().flatten(1), dim=1)
    sim = f @ f.t()
    sim.fill_diagonal_(-float('inf'))
    # stable sort: equal similarities keep index order (no hidden luck)
    order = torch.sort(sim, dim=1, descending=True, stable=True).indices
    neighbours = labels[order[:, :k]]
    num_classes = int(labels.max()) + 1
    votes = F.one_hot(neighbours, num_classes).sum(1).float()
    votes[torch.arange(n), neighbours[:, 0]] += 0.5
    return (votes.argmax(1) == labels).float().mean().item() * 100


@METRICS.register_module()
class GeneralDiscriminationMetric(BaseMetric):
    """How well features tell apart classes the model never trained on.

    The paper's "general discrimination": evaluate it on a probe dataset
    whose classes are in neither the source nor the target task (as the
    evaluator's dataset), with a model that puts its features in the
    predictions (``SoftFineTuneClassifier(predict_feat=True)``). The score
    is the leave-one-out k-NN top-1 accuracy (%, cosine similarity) of the
    probe samples' features, see :func:`knn_top1`.

    Args:
        k (int): Neighbours of the vote. Defaults to 5.
        collect_device (str): Where results are gathered between ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to
            ``'general_discrimination'``.
    """

    default_prefix: Optional[str] = 'general_discrimination'

    def __init__(self,
                 k: int = 5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f'`k` should be an int >= 1, but got {k!r}')
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.k = k

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'pred_feat' not in sample:
                raise ValueError(
                    'GeneralDiscriminationMetric needs `pred_feat` in the '
                    'predictions: set predict_feat=True on the '
                    'SoftFineTuneClassifier model')
            self.results.append(
                (sample['pred_feat'].cpu(), int(sample['gt_label'])))

    def compute_metrics(self, results: List[tuple]) -> dict:
        feats = torch.stack([f for f, _ in results])
        labels = torch.tensor([y for _, y in results])
        return dict(top1=knn_top1(feats, labels, self.k))
