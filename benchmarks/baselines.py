"""Reference points that are not fine-tuning, on a written target task.

A cell where plain fine-tuning does not beat these cannot show a transfer
effect: raw-pixel k-NN (:func:`raw_pixel_knn`) and a linear classifier on
frozen features of a model (:func:`linear_probe`, the first phase of
LP-FT alone). Both read the target's CUB root back through mmpretrain's
``CUB`` dataset class and its image loader (``mmcv.imread``, BGR), so they
see the images a training run sees.
"""
from typing import Callable, Dict, Sequence, Tuple

import numpy as np

__all__ = ['load_cub_split', 'raw_pixel_knn', 'model_features',
           'linear_probe']


def load_cub_split(root: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
    """Images and labels of one split of a CUB-layout root.

    Args:
        root (str): ``data_root`` of mmpretrain's ``CUB``.
        split (str): ``'train'`` or ``'test'``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``uint8`` images ``(N, H, W, 3)``
        (BGR, as ``LoadImageFromFile`` gives them) and labels ``(N,)``.
    """
    import mmcv
    from mmpretrain.datasets import CUB
    if split not in ('train', 'test'):
        raise ValueError(f"split should be 'train' or 'test', got {split!r}")
    dataset = CUB(data_root=root, split=split, pipeline=[])
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    if not infos:
        raise ValueError(f'{root}: the {split!r} split is empty')
    images = np.stack([mmcv.imread(info['img_path']) for info in infos])
    labels = np.array([int(info['gt_label']) for info in infos])
    return images, labels


def raw_pixel_knn(root: str, ks: Sequence[int] = (1, 5)) -> Dict[str, float]:
    """Top-1 (%) on the test split of a k-NN on the train split's pixels.

    Euclidean distance between flattened images; a tie of votes goes to
    the smaller label (scikit-learn's rule).

    Args:
        root (str): A target CUB root.
        ks (Sequence[int]): Neighbour counts. Defaults to (1, 5).

    Returns:
        dict: ``knn<k>`` -> top-1 in percent.
    """
    from sklearn.neighbors import KNeighborsClassifier
    train_x, train_y = load_cub_split(root, 'train')
    test_x, test_y = load_cub_split(root, 'test')
    train_x = train_x.reshape(len(train_x), -1).astype(np.float32)
    test_x = test_x.reshape(len(test_x), -1).astype(np.float32)
    out = {}
    for k in ks:
        if not 1 <= k <= len(train_x):
            raise ValueError(f'k should be in 1-{len(train_x)} (the train '
                             f'images of {root}), but got {k}')
        knn = KNeighborsClassifier(n_neighbors=k).fit(train_x, train_y)
        out[f'knn{k}'] = float((knn.predict(test_x) == test_y).mean() * 100)
    return out


def model_features(model, batch_size: int = 256) -> Callable:
    """A function from ``uint8`` images ``(N, H, W, 3)`` to the features
    ``(N, D)`` of an mmpretrain classifier (``extract_feat``: backbone and
    neck, after its ``data_preprocessor``), in eval mode, without grad.

    Args:
        model: An mmpretrain ``ImageClassifier`` (or subclass).
        batch_size (int): Images per forward. Defaults to 256.
    """
    import torch
    if batch_size < 1:
        raise ValueError(f'batch_size should be >= 1, got {batch_size}')

    def extract(images: np.ndarray) -> np.ndarray:
        model.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(images), batch_size):
                x = torch.from_numpy(images[start:start + batch_size])
                data = model.data_preprocessor(
                    dict(inputs=x.permute(0, 3, 1, 2).contiguous()), False)
                feats = model.extract_feat(data['inputs'])
                if isinstance(feats, (tuple, list)):
                    feats = feats[-1]
                out.append(feats.flatten(1).float().cpu().numpy())
        return np.concatenate(out)

    return extract


def linear_probe(root: str,
                 features: Callable[[np.ndarray], np.ndarray],
                 C: float = 1.0,
                 max_iter: int = 2000) -> float:
    """Top-1 (%) on the test split of a logistic regression trained on the
    train split's frozen features.

    Features are standardised with the train split's mean and std; the
    classifier is scikit-learn's multinomial ``LogisticRegression``
    (L2, lbfgs).

    Args:
        root (str): A target CUB root.
        features (Callable): Images ``(N, H, W, 3)`` -> features ``(N, D)``,
            e.g. :func:`model_features`.
        C (float): Inverse L2 strength. Defaults to 1.0.
        max_iter (int): Solver iterations. Defaults to 2000.

    Returns:
        float: Top-1 in percent.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    if C <= 0:
        raise ValueError(f'C should be > 0, got {C}')
    train_x, train_y = load_cub_split(root, 'train')
    test_x, test_y = load_cub_split(root, 'test')
    if len(np.unique(train_y)) < 2:
        raise ValueError(f'{root}: a linear probe needs 2 or more classes '
                         'in the train split')
    train_f = features(train_x)
    scaler = StandardScaler().fit(train_f)
    clf = LogisticRegression(C=C, max_iter=max_iter).fit(
        scaler.transform(train_f), train_y)
    pred = clf.predict(scaler.transform(features(test_x)))
    return float((pred == test_y).mean() * 100)
