"""Sphinx configuration of the cinder-transfer-ext API reference.

The build fails when a route of the service has no ``rest_method`` entry
in the pages, so that a new route cannot ship undocumented.
"""

import os
import re

from sphinx import errors

from cinder_transfer_ext.api import router

extensions = ['os_api_ref', 'openstackdocstheme']

project = 'cinder-transfer-ext API Reference'
copyright = 'cinder-transfer-ext developers'
master_doc = 'index'
html_theme = 'openstackdocs'
html_theme_options = {'sidebar_mode': 'toc'}
# Build offline: no repository links or bug-report buttons.
openstackdocs_auto_name = False
openstackdocs_repo_name = 'cinder-transfer-ext'
openstackdocs_use_storyboard = False
exclude_patterns = []

_REST_METHOD = re.compile(r'^\.\. rest_method:: (\w+) (\S+)$')


def _documented_routes() -> set:
    here = os.path.dirname(os.path.abspath(__file__))
    documented = set()
    for name in os.listdir(here):
        if name.endswith('.inc'):
            with open(os.path.join(here, name)) as page:
                for line in page:
                    match = _REST_METHOD.match(line.strip())
                    if match:
                        documented.add(match.groups())
    return documented


def _check_every_route_documented(app, config):
    documented = _documented_routes()
    missing = sorted(
        f'{method} /v3/{{project_id}}{path}'
        for path, methods in router.ROUTES for method in methods
        if (method, '/v3/{project_id}' + path) not in documented)
    if missing:
        raise errors.ConfigError(
            'These routes have no rest_method entry in api-ref/source: ' +
            ', '.join(missing))


def setup(app):
    app.connect('config-inited', _check_every_route_documented)
