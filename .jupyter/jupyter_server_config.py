# JupyterLab as `make lab` starts it: JUPYTER_CONFIG_DIR points at this folder (see the Makefile).
# Nothing is fetched from other hosts: no Jupyter news, no update check, no extension search on PyPI.
# (`c` is the configuration object that Jupyter passes to this file.)
from pathlib import Path

HERE = Path(__file__).resolve().parent

c.LabApp.news_url = None  # noqa: F821  the news feed on jupyterlab.github.io
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821  pypi.org/pypi/jupyterlab
c.LabApp.extension_manager = "readonly"  # noqa: F821  lists installed extensions, never searches PyPI
# The project's default settings (lab/settings/overrides.json); a student's own changes go to
# JUPYTERLAB_SETTINGS_DIR (lab/user-settings, not committed).
c.LabApp.app_settings_dir = str(HERE / "lab" / "settings")  # noqa: F821
