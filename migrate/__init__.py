"""joomla2jekyll: move a Joomla site into Jekyll for good.

The pipeline, in the order data flows: ``sources`` (dump file or database)
-> ``joomla`` (the site model, per-version hooks) -> ``posts`` (what becomes
of each article) -> ``convert`` (HTML to Markdown) -> ``sinks`` (the Jekyll
site, the report) -> ``build`` (hand-off to ``jekyll build``).  ``pipeline.run``
ties them together; ``cli`` is a thin click shell over it.
"""

__version__ = "0.1.0"
