"""The error of a model whose method needs a hook that did not run."""
__all__ = ['missing_hook_error']


def missing_hook_error(model: str, hook: str, why: str) -> ValueError:
    """A clear error for a method trained without the hook it needs.

    A derived config that sets ``custom_hooks = [...]`` replaces the base
    config's list, hooks of the method included; the model then raises this
    before its first training step instead of silently training another
    method.

    Args:
        model (str): The model's class name.
        hook (str): The hook's type name.
        why (str): What the hook does for the method.

    Returns:
        ValueError: The error, to raise.
    """
    return ValueError(
        f'{model} trains only with {hook} in `custom_hooks` ({why}), but '
        f'{hook} did not run. A derived config that sets `custom_hooks = '
        '[...]` replaces the base config\'s list: append to it instead, '
        "e.g. `custom_hooks = _base_.custom_hooks + [dict(type='EMAHook')]`")
