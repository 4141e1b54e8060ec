"""requirements/constraints.txt pins the demo/benchmark environment that
tools/setup_env.sh installs, and only that: the plugin's own requirements
stay open."""
import re
from importlib import metadata

from ..conftest import repo_path

PINNED = {'numpy', 'opencv-python', 'opencv-python-headless', 'pillow',
          'scikit-learn'}


def constraints():
    pins = {}
    with open(repo_path('requirements/constraints.txt')) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line:
                name, version = line.split('==')
                pins[name.lower()] = version
    return pins


def test_constraints_pin_the_installed_versions():
    pins = constraints()
    assert set(pins) == PINNED
    installed = {}
    for name in pins:
        try:
            installed[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    # this environment was made by setup_env.sh with these constraints
    assert installed, 'none of the pinned packages is installed'
    assert installed == {name: pins[name] for name in installed}


def test_setup_env_uses_them_for_every_install():
    script = open(repo_path('tools/setup_env.sh')).read()
    commands = [
        line for line in script.replace('\\\n', ' ').splitlines()
        if 'pip install' in line and (' -r ' in line or ' -e ' in line)
    ]
    assert len(commands) == 2  # the requirements, then the package
    for command in commands:
        assert '-c "$ROOT/requirements/constraints.txt"' in command, command


def test_plugin_requirements_stay_open():
    for path in ('requirements/runtime.txt', 'setup.py'):
        text = open(repo_path(path)).read().lower()
        for name in PINNED:
            assert not re.search(rf'{re.escape(name)}\s*==', text), path
