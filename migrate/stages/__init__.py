"""The stages of a run, in the order ``pipeline.run`` calls them.

read -> plan -> map URLs -> convert -> write.  Each takes what the stages
before it produced, as typed records, and returns its own; none reaches back
into another's work.
"""
