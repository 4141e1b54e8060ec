import pytest
import torch
from mmpretrain.registry import METRICS, MODELS
from mmpretrain.structures import DataSample

from mmsoftft.evaluation import knn_top1

from ...test_models.test_classifiers.test_soft_finetune_classifier import (
    model_cfg,
)


def clusters(num_classes=4, per_class=10, spread=0.01):
    torch.manual_seed(0)
    centers = torch.eye(num_classes, 16)
    feats = centers.repeat_interleave(per_class, 0)
    feats = feats + spread * torch.randn_like(feats)
    labels = torch.arange(num_classes).repeat_interleave(per_class)
    return feats, labels


def test_separable_clusters_give_100():
    feats, labels = clusters()
    assert knn_top1(feats, labels, k=5) == 100.0


def test_identical_features_give_chance():
    _, labels = clusters(num_classes=4, per_class=10)
    acc = knn_top1(torch.ones(40, 8), labels, k=5)
    assert acc == pytest.approx(25.0)


def test_hand_computed_small_case():
    # 1-NN: points 0 and 1 are mutual neighbours, as are 2 and 3
    feats = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    assert knn_top1(feats, torch.tensor([0, 0, 1, 1]), k=1) == 100.0
    assert knn_top1(feats, torch.tensor([0, 1, 0, 1]), k=1) == 0.0


def test_metric_in_an_evaluator_with_model_features():
    cfg = model_cfg()
    cfg['predict_feat'] = True
    model = MODELS.build(cfg).eval()
    metric = METRICS.build(dict(type='GeneralDiscriminationMetric', k=3))
    inputs = torch.rand(6, 3, 32, 32)
    samples = [DataSample().set_gt_label(i % 2) for i in range(6)]
    with torch.no_grad():
        preds = model(inputs, samples, mode='predict')
    assert preds[0].pred_feat.shape == (128, )
    metric.process(None, [p.to_dict() for p in preds])
    out = metric.evaluate(6)
    assert 0.0 <= out['general_discrimination/top1'] <= 100.0


def test_missing_features_and_bad_k():
    metric = METRICS.build(dict(type='GeneralDiscriminationMetric'))
    with pytest.raises(ValueError, match='predict_feat=True'):
        metric.process(None, [DataSample().set_gt_label(0).to_dict()])
    with pytest.raises(ValueError, match='`k` should be an int >= 1'):
        METRICS.build(dict(type='GeneralDiscriminationMetric', k=0))
