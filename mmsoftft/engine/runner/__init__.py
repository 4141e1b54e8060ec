from .amp_test_loop import AmpTestLoop

__all__ = ['AmpTestLoop']
