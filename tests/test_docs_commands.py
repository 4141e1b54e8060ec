"""Every documented command still works as written, as far as it can be
checked without running it: the shell commands of README.md,
configs/softft/README.md and docs/en/*.md (fenced shell blocks and inline
code that run a script of the repository) name scripts that exist and
whose ``--help`` runs, every ``--option`` they pass is one the script (or
the tool a wrapper passes it to) takes, and every config path exists and
loads. Each distinct script's ``--help`` runs once; every failing command
is reported at once."""
import glob
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from mmengine.config import Config

from .conftest import REPO, repo_path

DOCS = ['README.md', 'configs/softft/README.md'] + sorted(
    osp.relpath(p, REPO) for p in glob.glob(repo_path('docs', 'en', '*.md')))
SHELL = ('', 'bash', 'sh', 'shell', 'console')
INLINE = re.compile(r'`([^`\n]*(?:python3?|bash) [^`\n]+)`')
SEPARATORS = {'|', '||', '&&', ';', '>', '2>&1'}
# shell wrappers -> the tool that gets their options
WRAPPED = {
    'dist_train.sh': 'train.py',
    'slurm_train.sh': 'train.py',
    'dist_test.sh': 'test.py',
    'slurm_test.sh': 'test.py',
    'run_demo.sh': 'demo.py',
}
# scripts that pass what follows `--` to another tool
PASS_THROUGH = {'compare_methods.py': 'train.py'}
# wrappers whose options belong to another program (pytest), or that take
# none: existence and shell syntax only
# (benchmark_claims_cjk.sh takes steps, its commands are tested in
# benchmarks/tests/test_claims_script.py)
UNCHECKED_OPTIONS = {'run_tests.sh', 'setup_env.sh', 'gpu_check.sh',
                     'fetch_gpu_wheels.sh', 'benchmark_claims_cjk.sh'}


def doc_commands():
    """``[(doc, command line)]``: each documented command running a script
    of this repository (continuation lines joined, comments removed)."""
    found = []
    for doc in DOCS:
        text = open(repo_path(doc)).read()
        lines = []
        for block in shell_blocks(text):
            lines += re.sub(r'\\\n\s*', ' ', block).splitlines()
        lines += INLINE.findall(text)
        for line in lines:
            try:
                tokens = shlex.split(line, comments=True)
            except ValueError:
                continue
            while tokens and re.fullmatch(r'[A-Z_][A-Z0-9_]*=\S*',
                                          tokens[0]):
                tokens = tokens[1:]  # PORT=0, GPUS=16, ...
            for i, token in enumerate(tokens):
                if token in SEPARATORS:
                    tokens = tokens[:i]
                    break
            if script_of(tokens) is not None:
                found.append((doc, tokens))
    return found


def shell_blocks(text):
    """The contents of the fenced blocks of a shell (or no) language."""
    blocks, language, block = [], None, []
    for line in text.splitlines():
        fence = re.match(r'\s*```(\w*)\s*$', line)
        if fence and language is None:
            language, block = fence.group(1), []
        elif fence:
            if language in SHELL:
                blocks.append('\n'.join(block) + '\n')
            language = None
        elif language is not None:
            block.append(line)
    return blocks


def script_of(tokens):
    """The repository script a command runs (``tools/x.py``,
    ``tools/x.sh`` or ``-m package.module``), or None."""
    if len(tokens) < 2:
        return None
    program = osp.basename(tokens[0])
    if program in ('python', 'python3'):
        if tokens[1] == '-m' and len(tokens) > 2:
            top = tokens[2].split('.')[0]
            return f'-m {tokens[2]}' if osp.isdir(repo_path(top)) else None
        return tokens[1] if tokens[1].endswith('.py') and '/' in tokens[
            1] and not tokens[1].startswith('/') else None
    if program == 'bash' and tokens[1].endswith('.sh'):
        return tokens[1]
    return None


def arguments(tokens):
    """What follows the script."""
    return tokens[3:] if tokens[1] == '-m' else tokens[2:]


def help_text(script):
    """``(ok, text)`` of the script's ``--help`` (``bash -n`` for a shell
    script: its syntax)."""
    if script.startswith('-m '):
        args = [sys.executable, '-m', script[3:], '--help']
    elif script.endswith('.sh'):
        args = ['bash', '-n', repo_path(script)]
    else:
        args = [sys.executable, repo_path(script), '--help']
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode == 0, proc.stdout + proc.stderr


def takes(help_out, option):
    return re.search(rf'(?<![\w-]){re.escape(option)}(?![\w-])',
                     help_out) is not None


def test_documented_commands_run_as_written():
    commands = doc_commands()
    scripts = {script_of(tokens) for _, tokens in commands}
    # the tools wrappers pass their options to
    tools_dir = {osp.basename(s): s for s in scripts if s.endswith('.py')}
    for target in set(WRAPPED.values()) | set(PASS_THROUGH.values()):
        tools_dir.setdefault(target, f'tools/{target}')
        scripts.add(tools_dir[target])
    missing = {s for s in scripts
               if not s.startswith('-m ') and not osp.isfile(repo_path(s))}
    with ThreadPoolExecutor(2) as pool:
        helps = dict(zip(
            sorted(scripts - missing),
            pool.map(help_text, sorted(scripts - missing))))
    configs = {}
    failures = []
    for doc, tokens in commands:
        script = script_of(tokens)
        line = f'{doc}: {shlex.join(tokens)}'
        if script in missing:
            failures.append(f'{line}\n    {script} does not exist')
            continue
        ok, out = helps[script]
        if not ok:
            failures.append(f'{line}\n    {script} --help failed: '
                            f'{out.strip()[-500:]}')
            continue
        name = osp.basename(script.split()[-1])
        args = arguments(tokens)
        own, passed = args, []
        if '--' in args:
            own, passed = args[:args.index('--')], args[args.index('--') +
                                                         1:]
        checks = []
        if name in WRAPPED:
            checks.append((tools_dir[WRAPPED[name]], own))
        elif name not in UNCHECKED_OPTIONS:
            checks.append((script, own))
        if name in PASS_THROUGH:
            checks.append((tools_dir[PASS_THROUGH[name]], passed))
        for tool, given in checks:
            tool_ok, tool_help = helps[tool]
            for option in (a.split('=')[0] for a in given
                           if a.startswith('--')):
                if not tool_ok or not takes(tool_help, option):
                    failures.append(f'{line}\n    {tool} takes no {option}')
        for arg in args:
            path = arg.split('=', 1)[-1]
            if re.fullmatch(r'configs/\S+\.py', path):
                if path not in configs:
                    try:
                        Config.fromfile(repo_path(path))
                        configs[path] = None
                    except Exception as e:  # reported with the command
                        configs[path] = f'{type(e).__name__}: {e}'
                if configs[path]:
                    failures.append(f'{line}\n    {path}: {configs[path]}')
    assert len(commands) >= 20, commands  # the documents were read
    assert not failures, (f'{len(failures)} documented commands fail:\n' +
                          '\n'.join(failures))
