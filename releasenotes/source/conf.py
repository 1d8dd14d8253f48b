"""Sphinx configuration of the cinder-transfer-ext release notes."""

extensions = ['reno.sphinxext']

project = 'cinder-transfer-ext Release Notes'
copyright = 'cinder-transfer-ext developers'
master_doc = 'index'
html_theme = 'alabaster'
exclude_patterns = []
