from .metrics import GeneralDiscriminationMetric, knn_top1

__all__ = ['GeneralDiscriminationMetric', 'knn_top1']
