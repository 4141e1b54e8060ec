"""CheckpointHook whose saves are atomic: no truncated latest checkpoint."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmpretrain.registry import HOOKS

__all__ = ['AtomicCheckpointHook', 'atomic_write_text']


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file."""
    tmp = f'{path}.part'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` with crash-safe saving on local disks.

    mmengine writes ``epoch_N.pth`` in place and, with ``max_keep_ckpts``,
    deletes the oldest checkpoint *before* saving the new one: a kill during
    the save can leave a truncated file, or a ``last_checkpoint`` that
    points at a deleted file, for ``--resume auto`` to pick. This hook writes
    ``epoch_N.pth.part``, fsyncs it and renames it into place (atomic on
    POSIX), then updates ``last_checkpoint`` the same way, and only then
    deletes checkpoints beyond ``max_keep_ckpts``. Arguments are
    ``CheckpointHook``'s; non-local backends fall back to its behaviour.
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        doomed = None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                doomed = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename + '.part',
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        partial = self.last_ckpt + '.part'
        with open(partial, 'rb') as f:
            os.fsync(f.fileno())
        os.replace(partial, self.last_ckpt)
        atomic_write_text(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        if doomed is not None:
            old = osp.join(self.out_dir, self.filename_tmpl.format(doomed))
            if osp.isfile(old):
                os.remove(old)
