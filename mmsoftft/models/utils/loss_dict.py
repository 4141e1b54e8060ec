"""Name and weigh the losses of one branch of a multi-branch model."""
__all__ = ['domain_loss_dict', 'reweight_loss_dict']


def domain_loss_dict(losses: dict, domain: str) -> dict:
    """Tag a head's outputs with its domain.

    ``loss`` becomes ``loss_<domain>``, ``loss_cls`` ``loss_<domain>_cls``,
    any other key (e.g. ``accuracy``) ``<key>_<domain>``. The key keeps its
    ``loss`` prefix, so MMEngine's ``parse_losses`` still sums it into the
    total and logs it.

    Args:
        losses (dict): A head's ``loss()`` output.
        domain (str): ``'target'``, ``'source'``...

    Returns:
        dict: A new dict with the tagged keys.
    """
    return {(f'loss_{domain}{key[4:]}' if key.startswith('loss') else
             f'{key}_{domain}'): value
            for key, value in losses.items()}


def reweight_loss_dict(losses: dict, weight: float) -> dict:
    """Scale every loss by ``weight``, as mmdet's function of this name.

    The entries MMEngine sums into the total (keys containing ``loss``,
    single tensors or lists of tensors) are scaled; others (e.g. accuracy)
    are kept as they are. Unlike mmdet's, the input dict is not modified.

    Args:
        losses (dict): The losses of one branch.
        weight (float): The weight.

    Returns:
        dict: A new dict with the scaled losses.
    """
    def scale(value):
        if isinstance(value, (list, tuple)):
            return [item * weight for item in value]
        return value * weight

    return {
        key: scale(value) if 'loss' in key else value
        for key, value in losses.items()
    }
