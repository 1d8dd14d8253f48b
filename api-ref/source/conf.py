"""Sphinx configuration of the cinder-transfer-ext API reference."""

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
