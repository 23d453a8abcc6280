"""Demo and scale data: `manage.py seed_demo` and `manage.py seed_scale` and their generators.

Nothing at run time imports this app: it only writes records through the scenario import
(the demo) or in bulk (the scale), for the demo, the tests and the benchmark.
"""
